namespace Botvisor.Core.Fleet;

/// <summary>
/// The effective, fully resolved definition of one bot: what its supervisor runs. Two specs that are
/// equal run the same worker, so a reload restarts exactly the bots whose spec changed.
/// </summary>
public sealed record BotSpec
{
    public required string Id { get; init; }
    public required IReadOnlyList<string> Command { get; init; }
    public required string WorkingDirectory { get; init; }
    public BotToken? Token { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public bool InheritEnv { get; init; } = BotDefaults.InheritEnv;
    public bool Autostart { get; init; } = BotDefaults.Autostart;
    public IReadOnlyList<string> DependsOn { get; init; } = [];
    public RestartPolicy Restart { get; init; } = BotDefaults.Restart;
    public BackoffSettings Backoff { get; init; } = new(BotDefaults.BackoffInitial, BotDefaults.BackoffMultiplier, BotDefaults.BackoffMax, BotDefaults.BackoffJitter);
    public int MaxRestarts { get; init; } = BotDefaults.MaxRestarts;
    public TimeSpan MinUptime { get; init; } = BotDefaults.MinUptime;
    public int StopSignal { get; init; } = Signals.SIGTERM;
    public TimeSpan StopTimeout { get; init; } = BotDefaults.StopTimeout;
    public long LogMaxSize { get; init; } = BotDefaults.LogMaxSize;
    public int LogMaxFiles { get; init; } = BotDefaults.LogMaxFiles;
    public string TelegramApiBaseUrl { get; init; } = BotDefaults.TelegramApiBaseUrl;
    public bool TelegramValidate { get; init; } = BotDefaults.TelegramValidate;
    public TimeSpan? TelegramCheckInterval { get; init; }
    public bool TelegramClearWebhook { get; init; } = BotDefaults.TelegramClearWebhook;

    public ReadyMode Ready { get; init; } = BotDefaults.Ready;
    public TimeSpan StartTimeout { get; init; } = BotDefaults.StartTimeout;
    public TimeSpan? Watchdog { get; init; }
    public HttpProbeSettings? HttpProbe { get; init; }
    public long? MemoryMax { get; init; }

    /// <summary>CPU time allowed, in CPUs; enforced only where cgroup v2's cpu controller is available.</summary>
    public double? CpuMax { get; init; }

    /// <summary>The account the worker runs as (a name or a uid); null: the daemon's own.</summary>
    public string? User { get; init; }

    /// <summary>The worker's group (a name or a gid); null: the user's primary group.</summary>
    public string? Group { get; init; }

    /// <summary>Behind the gateway: the worker gets a placeholder token and the gateway's URL (only for a bot with a token).</summary>
    public bool Gateway { get; init; }

    /// <summary>A gateway bot whose worker has not called getUpdates for this long is restarted; null: not watched.</summary>
    public TimeSpan? MaxPollGap { get; init; }

    /// <summary>Where the definition came from: the fleet file's path, or <c>api</c>.</summary>
    public string Source { get; init; } = "";

    public bool Equals(BotSpec? other) =>
        other is not null
        && Id == other.Id
        && CollectionEquality.SequenceEqual(Command, other.Command)
        && WorkingDirectory == other.WorkingDirectory
        && Equals(Token, other.Token)
        && CollectionEquality.DictionaryEqual(Env, other.Env)
        && InheritEnv == other.InheritEnv
        && Autostart == other.Autostart
        && CollectionEquality.SequenceEqual(DependsOn, other.DependsOn)
        && Restart == other.Restart
        && Backoff == other.Backoff
        && MaxRestarts == other.MaxRestarts
        && MinUptime == other.MinUptime
        && StopSignal == other.StopSignal
        && StopTimeout == other.StopTimeout
        && LogMaxSize == other.LogMaxSize
        && LogMaxFiles == other.LogMaxFiles
        && TelegramApiBaseUrl == other.TelegramApiBaseUrl
        && TelegramValidate == other.TelegramValidate
        && TelegramCheckInterval == other.TelegramCheckInterval
        && TelegramClearWebhook == other.TelegramClearWebhook
        && Ready == other.Ready
        && StartTimeout == other.StartTimeout
        && Watchdog == other.Watchdog
        && HttpProbe == other.HttpProbe
        && MemoryMax == other.MemoryMax
        && CpuMax == other.CpuMax
        && User == other.User
        && Group == other.Group
        && Gateway == other.Gateway
        && MaxPollGap == other.MaxPollGap
        && Source == other.Source;

    public override int GetHashCode() => HashCode.Combine(Id, CollectionEquality.SequenceHash(Command), WorkingDirectory, Token);
}

/// <summary>Effective HTTP probe of one bot.</summary>
public sealed record HttpProbeSettings(string Url, TimeSpan Interval, TimeSpan Timeout, int Failures, TimeSpan InitialDelay);
