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

    /// <summary>The <c>store:</c>, <c>node:</c> and <c>cluster:</c> settings.</summary>
    public ClusterConfig Cluster { get; init; } = new();
}

/// <summary>Where the state lives and, on PostgreSQL, this node's place in the cluster.</summary>
public sealed record ClusterConfig
{
    /// <summary><c>store:</c>: a postgres:// URL (a cluster); null: SQLite in the state directory (one node).</summary>
    public string? Store { get; init; }

    /// <summary><c>node:</c>: this node's name (default: the host name).</summary>
    public string? Node { get; init; }

    /// <summary><c>cluster.advertise:</c>: the API address other nodes and the CLI reach this node at (default: the listen address).</summary>
    public string? Advertise { get; init; }

    /// <summary><c>cluster: { lease, renew_deadline, retry }</c>.</summary>
    public Cluster.ClusterTiming Timing { get; init; } = Cluster.ClusterTiming.Default;
}

/// <summary>The daemon's HTTP API: where it listens, who may use it, whether /metrics is open.</summary>
public sealed record ApiConfig
{
    public string? Listen { get; init; }

    /// <summary>Token name (shown in the audit log) → secret.</summary>
    public IReadOnlyDictionary<string, string> Tokens { get; init; } = new Dictionary<string, string>();

    public bool? PublicMetrics { get; init; }
}
