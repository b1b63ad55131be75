namespace Botvisor.Core.Fleet;

/// <summary>
/// The settings a bot can take from <c>defaults:</c> or set itself: one record for both, so they are
/// parsed by one method, merged by one rule (<see cref="Or"/>) and compared by one equality. Null is
/// "not set". <see cref="BotConfig"/> is a bot's options plus what only a bot has (id, command, token…).
/// </summary>
public record BotOptions
{
    /// <summary>No option set (a fleet file without <c>defaults:</c>).</summary>
    public static readonly BotOptions Empty = new();

    public RestartPolicy? Restart { get; init; }
    public BackoffConfig? Backoff { get; init; }
    public int? MaxRestarts { get; init; }
    public TimeSpan? MinUptime { get; init; }
    public string? StopSignal { get; init; }
    public TimeSpan? StopTimeout { get; init; }
    public bool? InheritEnv { get; init; }
    public LogConfig? Logs { get; init; }
    public TelegramConfig? Telegram { get; init; }
    public ReadyMode? Ready { get; init; }
    public TimeSpan? StartTimeout { get; init; }
    public TimeSpan? Watchdog { get; init; }
    public long? MemoryMax { get; init; }

    /// <summary>CPU time allowed, in CPUs (0.5 = half of one CPU), enforced with cgroup v2 <c>cpu.max</c>.</summary>
    public double? CpuMax { get; init; }

    /// <summary>The account the worker runs as (a name or a uid); null: the daemon's.</summary>
    public string? User { get; init; }

    /// <summary>The worker's group (a name or a gid); null: the user's primary group.</summary>
    public string? Group { get; init; }

    /// <summary>Run the bot behind the daemon's Bot API gateway: the worker gets a placeholder token, never the real one.</summary>
    public bool? Gateway { get; init; }

    /// <summary>What the gateway watches of a running worker (its polling).</summary>
    public LivenessConfig? Liveness { get; init; }

    /// <summary>These options where set, else <paramref name="fallback"/>'s; sections (backoff, logs, telegram) key by key.</summary>
    public BotOptions Or(BotOptions fallback) => new()
    {
        Restart = Restart ?? fallback.Restart,
        Backoff = BackoffConfig.Or(Backoff, fallback.Backoff),
        MaxRestarts = MaxRestarts ?? fallback.MaxRestarts,
        MinUptime = MinUptime ?? fallback.MinUptime,
        StopSignal = StopSignal ?? fallback.StopSignal,
        StopTimeout = StopTimeout ?? fallback.StopTimeout,
        InheritEnv = InheritEnv ?? fallback.InheritEnv,
        Logs = Logs is null || fallback.Logs is null ? Logs ?? fallback.Logs
            : new LogConfig { MaxSize = Logs.MaxSize ?? fallback.Logs.MaxSize, MaxFiles = Logs.MaxFiles ?? fallback.Logs.MaxFiles },
        Telegram = Telegram is null || fallback.Telegram is null ? Telegram ?? fallback.Telegram
            : new TelegramConfig
            {
                ApiBaseUrl = Telegram.ApiBaseUrl ?? fallback.Telegram.ApiBaseUrl,
                Validate = Telegram.Validate ?? fallback.Telegram.Validate,
                CheckInterval = Telegram.CheckInterval ?? fallback.Telegram.CheckInterval,
                ClearWebhook = Telegram.ClearWebhook ?? fallback.Telegram.ClearWebhook,
            },
        Ready = Ready ?? fallback.Ready,
        StartTimeout = StartTimeout ?? fallback.StartTimeout,
        Watchdog = Watchdog ?? fallback.Watchdog,
        MemoryMax = MemoryMax ?? fallback.MemoryMax,
        CpuMax = CpuMax ?? fallback.CpuMax,
        User = User ?? fallback.User,
        Group = Group ?? fallback.Group,
        Gateway = Gateway ?? fallback.Gateway,
        Liveness = Liveness is null || fallback.Liveness is null ? Liveness ?? fallback.Liveness
            : new LivenessConfig { MaxPollGap = Liveness.MaxPollGap ?? fallback.Liveness.MaxPollGap },
    };
}
