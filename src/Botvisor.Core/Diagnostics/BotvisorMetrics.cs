using System.Diagnostics.Metrics;
using Botvisor.Core.State;

namespace Botvisor.Core.Diagnostics;

/// <summary>
/// Botvisor's instruments, on one static <see cref="Meter"/>. The per-bot ones are observable: read
/// from the current snapshots when metrics are collected, so they cost nothing between scrapes.
/// Tags are <c>bot.id</c> and <c>state</c>; a token never appears in a tag.
/// </summary>
public static partial class BotvisorMetrics
{
    public const string MeterName = "Botvisor";

    private static readonly Meter Meter = new(MeterName, typeof(BotvisorMetrics).Assembly.GetName().Version?.ToString());
    private static volatile FleetStateService? _state;
    private static TimeProvider _time = TimeProvider.System;

    static BotvisorMetrics()
    {
        Meter.CreateObservableGauge("botvisor.bot.state", ObserveState, unit: "{bot}",
            description: "1, tagged with the state each bot is in (one series per bot: the states it is not in are absent)");
        Meter.CreateObservableCounter("botvisor.bot.conflicts", ObserveConflicts, unit: "{conflict}",
            description: "409 Conflict answers to getUpdates in a bot's output: another instance is polling its token");
        Meter.CreateObservableCounter("botvisor.bot.restarts", ObserveRestarts, unit: "{restart}",
            description: "Workers started for a bot after its first one, since the daemon started");
        Meter.CreateObservableGauge("botvisor.bot.uptime", ObserveUptime, unit: "s",
            description: "How long the bot's current worker has been running");
        Meter.CreateObservableGauge("botvisor.bot.last_exit_code", ObserveLastExit, unit: "{code}",
            description: "Exit code of the bot's last worker (128 + signal when killed by a signal)");
        Meter.CreateObservableGauge("botvisor.bot.memory.rss", ObserveRss, unit: "By",
            description: "Resident memory of the bot's whole session (worker and its children), sampled from /proc");
        Meter.CreateObservableGauge("botvisor.bot.cpu.utilization", ObserveCpu, unit: "1",
            description: "CPU used by the bot's whole session between the last two samples, in CPUs (1 = one core)");
        Meter.CreateObservableGauge("botvisor.bot.healthy", ObserveHealthy, unit: "{bot}",
            description: "1 when the bot's health verdict is healthy, 0 when unhealthy (bots with no verdict yet are absent)");
        Meter.CreateObservableGauge("botvisor.bots", () => _state?.Snapshots.Count ?? 0, unit: "{bot}",
            description: "Bots in the fleet");
    }

    /// <summary>Points the observable instruments at the fleet's state.</summary>
    public static void Observe(FleetStateService state, TimeProvider? time = null, Func<string, Health.ResourceUsage?>? resources = null)
    {
        _time = time ?? TimeProvider.System;
        _resources = resources;
        _state = state;
    }

    private static Func<string, Health.ResourceUsage?>? _resources;

    private static IEnumerable<Measurement<long>> ObserveRss() => Usage().Select(u => new Measurement<long>(u.Usage.RssBytes, new KeyValuePair<string, object?>("bot.id", u.Id)));

    private static IEnumerable<Measurement<double>> ObserveCpu() => Usage().Select(u => new Measurement<double>(u.Usage.CpuPercent / 100, new KeyValuePair<string, object?>("bot.id", u.Id)));

    private static IEnumerable<(string Id, Health.ResourceUsage Usage)> Usage()
    {
        var get = _resources;
        if (get is null) yield break;
        foreach (var s in _state?.Snapshots ?? [])
        {
            if (get(s.Id) is { } u) yield return (s.Id, u);
        }
    }

    private static IEnumerable<Measurement<int>> ObserveHealthy() =>
        (_state?.Snapshots ?? []).Where(s => s.Health != HealthVerdict.Unknown)
            .Select(s => new Measurement<int>(s.Health == HealthVerdict.Healthy ? 1 : 0, new KeyValuePair<string, object?>("bot.id", s.Id)));

    private static IEnumerable<Measurement<int>> ObserveState() =>
        (_state?.Snapshots ?? []).Select(s => new Measurement<int>(1,
            new KeyValuePair<string, object?>("bot.id", s.Id), new KeyValuePair<string, object?>("state", s.State.ToName())));

    private static IEnumerable<Measurement<long>> ObserveConflicts() =>
        (_state?.Snapshots ?? []).Select(s => new Measurement<long>(s.Conflicts, new KeyValuePair<string, object?>("bot.id", s.Id)));

    private static IEnumerable<Measurement<long>> ObserveRestarts() =>
        (_state?.Snapshots ?? []).Select(s => new Measurement<long>(s.Restarts, new KeyValuePair<string, object?>("bot.id", s.Id)));

    private static IEnumerable<Measurement<double>> ObserveUptime()
    {
        var now = _time.GetUtcNow();
        foreach (var s in _state?.Snapshots ?? [])
        {
            double up = s.State == BotLifecycleState.Running && s.StartedAt is { } started ? (now - started).TotalSeconds : 0;
            yield return new Measurement<double>(up, new KeyValuePair<string, object?>("bot.id", s.Id));
        }
    }

    private static IEnumerable<Measurement<int>> ObserveLastExit() =>
        (_state?.Snapshots ?? []).Where(s => s.LastExit is not null)
            .Select(s => new Measurement<int>(s.LastExit!.Value.Code, new KeyValuePair<string, object?>("bot.id", s.Id)));
}
