using Botvisor.Core.Supervision;

namespace Botvisor.Core.State;

/// <summary>
/// What is observed about one bot at one moment (immutable). Changed only through
/// <see cref="FleetStateService.Publish"/>, which sets <see cref="Version"/>.
/// </summary>
public sealed record BotSnapshot
{
    public required string Id { get; init; }
    public BotLifecycleState State { get; init; } = BotLifecycleState.Pending;
    public string Reason { get; init; } = "";
    public int? Pid { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? StoppedAt { get; init; }
    public ExitStatus? LastExit { get; init; }

    /// <summary>Restarts since the daemon started (each new worker after the first).</summary>
    public int Restarts { get; init; }

    /// <summary>Failed runs in a row without a run of <c>min_uptime</c>; compared with <c>max_restarts</c>.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>When the worker in <see cref="BotLifecycleState.Backoff"/> will be started again.</summary>
    public DateTimeOffset? NextStartAt { get; init; }

    /// <summary>The bot's @username, as getMe reported it.</summary>
    public string? TelegramUsername { get; init; }

    /// <summary>How many 409 "terminated by other getUpdates request" lines the bot printed: another instance polls its token.</summary>
    public int Conflicts { get; init; }

    /// <summary>Ready to serve: started (ready: started), or READY=1 received (ready: notify).</summary>
    public bool Ready { get; init; }

    /// <summary>The last STATUS=… the bot sent over NOTIFY_SOCKET.</summary>
    public string? StatusText { get; init; }

    /// <summary>MAINPID=… if the bot reported another main process.</summary>
    public int? MainPid { get; init; }

    /// <summary>healthy, unhealthy or unknown, from the last result of each check.</summary>
    public HealthVerdict Health { get; init; } = HealthVerdict.Unknown;

    /// <summary>The last result of each check, by check name (notify, watchdog, http, memory…).</summary>
    public IReadOnlyDictionary<string, Core.Health.CheckResult> Checks { get; init; } = new Dictionary<string, Core.Health.CheckResult>();

    /// <summary>How memory_max and cpu_max are enforced for the current (or last) worker.</summary>
    public Core.Health.LimitEnforcement Limits { get; init; } = Core.Health.LimitEnforcement.None;

    public string Source { get; init; } = "";
    public string? MaskedToken { get; init; }
    public long Version { get; init; }
}

public enum HealthVerdict
{
    Unknown,
    Healthy,
    Unhealthy,
}
