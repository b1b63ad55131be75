using System.Diagnostics.Metrics;
using Botvisor.Core.Gateway;

namespace Botvisor.Core.Diagnostics;

/// <summary>The gateway's instruments: observable, read from its per-bot counters when metrics are collected.</summary>
public static partial class BotvisorMetrics
{
    private static volatile GatewayRegistry? _gateway;
    private static int _gatewayInstruments;

    /// <summary>Points the gateway's instruments at the daemon's gateway (created on the first call).</summary>
    public static void ObserveGateway(GatewayRegistry gateway)
    {
        _gateway = gateway;
        if (Interlocked.Exchange(ref _gatewayInstruments, 1) != 0) return;
        Meter.CreateObservableCounter("botvisor.gateway.calls", () => Methods(m => m.Calls), unit: "{call}",
            description: "Bot API calls a bot's workers made through the gateway, by method (file: downloads)");
        Meter.CreateObservableCounter("botvisor.gateway.errors", () => Methods(m => m.Errors), unit: "{call}",
            description: "Gateway calls answered with an error status (Telegram's, or 502 when it could not be reached), by method");
        Meter.CreateObservableCounter("botvisor.gateway.rate_limited", () => Methods(m => m.RateLimited), unit: "{call}",
            description: "Gateway calls answered 429 Too Many Requests, by method");
        Meter.CreateObservableCounter("botvisor.gateway.updates", ObserveUpdates, unit: "{update}",
            description: "Updates delivered to a bot's workers by getUpdates through the gateway");
        Meter.CreateObservableGauge("botvisor.gateway.retry_after", ObserveRetryAfter, unit: "s",
            description: "The retry_after Telegram gave a bot while the gateway holds its calls (0 when none)");
        Meter.CreateObservableGauge("botvisor.gateway.workers", ObserveLive, unit: "{worker}",
            description: "1 while a bot's worker runs behind the gateway (with a live placeholder token), 0 when it has none now");
        Meter.CreateObservableGauge("botvisor.gateway.last_poll.age", ObservePollAge, unit: "s",
            description: "Time since a gateway bot's last getUpdates was answered (absent before the first)");
        Meter.CreateObservableGauge("botvisor.gateway.method_series.folded", ObserveFolded, unit: "{series}",
            description: $"Per-bot, per-method gateway series beyond the cap of {GatewayMethodSeries.Cap}, summed per method under bot_id \"{GatewayMethodSeries.OtherBots}\" instead");
    }

    /// <summary>The gateway's bots that are still in the fleet (a removed bot's counters stay in the gateway, not in /metrics).</summary>
    private static IEnumerable<GatewayBot> GatewayBots() => (_gateway?.Bots ?? []).Where(b => _state?.Get(b.Id) is not null);

    private static IReadOnlyList<(string BotId, MethodStats Stats)> MethodSeries(out int folded) =>
        GatewayMethodSeries.Bound(GatewayBots().Select(b => (b.Id, b.Stats.Methods())), GatewayMethodSeries.Cap, out folded);

    private static IEnumerable<Measurement<long>> Methods(Func<MethodStats, long> value) =>
        MethodSeries(out _).Select(s => new Measurement<long>(value(s.Stats), new KeyValuePair<string, object?>("bot.id", s.BotId), new KeyValuePair<string, object?>("method", s.Stats.Method)));

    private static int ObserveFolded()
    {
        MethodSeries(out int folded);
        return folded;
    }

    private static IEnumerable<Measurement<long>> ObserveUpdates() =>
        GatewayBots().Select(b => new Measurement<long>(b.Stats.UpdatesDelivered, new KeyValuePair<string, object?>("bot.id", b.Id)));

    private static IEnumerable<Measurement<int>> ObserveLive() =>
        GatewayBots().Select(b => new Measurement<int>(b.Current is { IsLive: true } ? 1 : 0, new KeyValuePair<string, object?>("bot.id", b.Id)));

    private static IEnumerable<Measurement<double>> ObserveRetryAfter() =>
        GatewayBots().Select(b => new Measurement<double>(b.Flood.CurrentRetryAfter ?? 0, new KeyValuePair<string, object?>("bot.id", b.Id)));

    private static IEnumerable<Measurement<double>> ObservePollAge()
    {
        var now = _time.GetUtcNow();
        foreach (var bot in GatewayBots())
        {
            if (bot.Stats.LastPoll is { } last) yield return new Measurement<double>(Math.Max(0, (now - last).TotalSeconds), new KeyValuePair<string, object?>("bot.id", bot.Id));
        }
    }
}
