namespace Botvisor.Core.Fleet;

/// <summary>A whole fleet as one source describes it.</summary>
public sealed record FleetConfig
{
    public BotOptions Defaults { get; init; } = BotOptions.Empty;
    public IReadOnlyList<BotConfig> Bots { get; init; } = [];

    /// <summary>Absolute path of the file it was read from, or null.</summary>
    public string? SourcePath { get; init; }

    /// <summary>Directory that relative paths (cwd) are resolved against.</summary>
    public required string BaseDirectory { get; init; }

    /// <summary>How often the resources of every worker are sampled from /proc (one pass for all bots).</summary>
    public TimeSpan? SampleInterval { get; init; }

    /// <summary>The <c>api:</c> section.</summary>
    public ApiConfig Api { get; init; } = new();

    /// <summary>The <c>events:</c> section: how long the event log keeps events (null: <see cref="EventRetention.Default"/>).</summary>
    public EventRetention? Events { get; init; }

    /// <summary>The <c>templates:</c> section: named bot definitions without a token, by name.</summary>
    public IReadOnlyDictionary<string, BotConfig> Templates { get; init; } = new Dictionary<string, BotConfig>();

    /// <summary>The <c>sources:</c> section: remote lists of bots (a platform's API), in the file's order.</summary>
    public IReadOnlyList<Sources.Remote.RemoteSourceConfig> Sources { get; init; } = [];

    /// <summary>The <c>state_dir:</c> setting, absolute, if the file has one.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>The <c>admin:</c> section: the daemon's own Telegram bot, or null.</summary>
    public AdminConfig? Admin { get; init; }

    /// <summary>The <c>alerts:</c> section (null: the defaults, no webhooks).</summary>
    public AlertsConfig? Alerts { get; init; }
}

/// <summary>The daemon's HTTP API: where it listens, who may use it, whether /metrics is open.</summary>
public sealed record ApiConfig
{
    public string? Listen { get; init; }

    /// <summary>Token name (shown in the audit log) → secret.</summary>
    public IReadOnlyDictionary<string, string> Tokens { get; init; } = new Dictionary<string, string>();

    public bool? PublicMetrics { get; init; }
}
