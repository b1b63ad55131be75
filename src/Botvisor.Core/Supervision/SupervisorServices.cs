using Botvisor.Core.Logs;
using Botvisor.Core.State;
using Botvisor.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Supervision;

/// <summary>What every <see cref="BotSupervisor"/> shares: the reaper, the state, the store, the clock.</summary>
public sealed class SupervisorServices
{
    public required ChildReaper Reaper { get; init; }
    public required FleetStateService State { get; init; }
    public required StoreWriter Store { get; init; }
    public required TokenMasker Masker { get; init; }

    /// <summary>Reads every worker's stdout and stderr.</summary>
    public required OutputReader Output { get; init; }
    public required TimeProvider Time { get; init; }
    public required ILoggerFactory LoggerFactory { get; init; }

    /// <summary>Where the per-bot log files go.</summary>
    public required string LogDirectory { get; init; }

    /// <summary>The tokens of the whole fleet, which no worker may inherit from the daemon's environment.</summary>
    public Func<IReadOnlySet<string>> FleetTokens { get; init; } = () => new HashSet<string>();

    /// <summary>The Bot API client for token checks; null disables them.</summary>
    public Telegram.ITelegramApi? Telegram { get; init; }

    /// <summary>Routes sd_notify datagrams to bots; null when the daemon has no notify socket.</summary>
    public Health.NotifyRouter? Notify { get; init; }

    /// <summary>The path workers get as NOTIFY_SOCKET.</summary>
    public string? NotifySocketPath { get; init; }

    /// <summary>The same socket's abstract address (<c>@botvisor-…</c>), for workers running as another user.</summary>
    public string? NotifyAbstractAddress { get; init; }

    /// <summary>
    /// What every worker's environment carries as <c>BOTVISOR_STATE_ID</c> (the daemon's state directory,
    /// hashed), so that a successor finds workers whose record never became durable; null: none.
    /// </summary>
    public string? WorkerMark { get; init; }

    /// <summary>The one timer the fleet's outside checks (probes, token checks) are scheduled on.</summary>
    public Health.CheckScheduler Checks
    {
        get => _checks ??= new Health.CheckScheduler(Time);
        init => _checks = value;
    }

    private Health.CheckScheduler? _checks;

    /// <summary>Runs HTTP probes; null disables them.</summary>
    public Health.IHttpProbe? HttpProbe { get; init; }

    /// <summary>The cgroup v2 tree bots with memory_max or cpu_max get their own cgroup in; null where there is none.</summary>
    public Cgroups.CgroupTree? Cgroups { get; init; }

    /// <summary>
    /// What decides whether a worker may start, asked in order before every start: the bot's
    /// dependencies, then its token with Telegram (when there is an API to ask).
    /// </summary>
    public IReadOnlyList<Gates.IStartGate> StartGates
    {
        get => _startGates ??= WithLease(Telegram is { } api
            ? [new Gates.DependencyGate(State), new Core.Telegram.TokenGate(api, Time, Random)]
            : [new Gates.DependencyGate(State)]);
        init => _startGates = value;
    }

    /// <summary>In a cluster: the leases this node holds (the lease is the first and the last start gate); null on one node.</summary>
    public Cluster.LocalLeases? Leases { get; init; }

    /// <summary>In a cluster: which node holds a bot's lease, for what a waiting bot shows.</summary>
    public Func<string, string?> LeaseHolder { get; init; } = _ => null;

    private IReadOnlyList<Gates.IStartGate> WithLease(IReadOnlyList<Gates.IStartGate> gates)
    {
        if (Leases is null) return gates;
        var lease = new Cluster.LeaseGate(Leases, LeaseHolder);
        return [lease, .. gates, lease];
    }

    private IReadOnlyList<Gates.IStartGate>? _startGates;

    /// <summary>What hangs on every live worker, in order (the reaper's watch, the notify route, output capture, the record).</summary>
    internal IReadOnlyList<Attachments.IWorkerAttachment> Attachments => _attachments ??=
    [
        new Attachments.ReaperSession(Reaper),
        .. Notify is { } notify ? [new Attachments.NotifyRoute(notify)] : Array.Empty<Attachments.IWorkerAttachment>(),
        new Attachments.OutputCapture(Output, Masker, Time, Gateway),
        .. Gateway is { } gateway ? [new Attachments.GatewayPlaceholder(gateway, Checks, Leases)] : Array.Empty<Attachments.IWorkerAttachment>(),
        new Attachments.WorkerRecordKeeper(Store),
        .. Leases is { } leases ? [new Cluster.LeaseEpochAttachment(leases)] : Array.Empty<Attachments.IWorkerAttachment>(),
    ];

    private IReadOnlyList<Attachments.IWorkerAttachment>? _attachments;

    /// <summary>
    /// The Bot API gateway's placeholders and per-bot state; null: no gateway (a <c>gateway: true</c> bot then
    /// cannot start, rather than get its real token).
    /// </summary>
    public Gateway.GatewayRegistry? Gateway { get; init; }

    /// <summary>A source of randomness in [0, 1) for backoff jitter.</summary>
    public Func<double> Random { get; init; } = System.Random.Shared.NextDouble;

    /// <summary>The daemon's environment, which workers inherit.</summary>
    public Func<System.Collections.IDictionary> Environment { get; init; } = System.Environment.GetEnvironmentVariables;
}
