using System.Text.Json;
using System.Text.Json.Serialization;

namespace Botvisor.Api.Contracts;

/// <summary>One bot as the API shows it. The token is masked (<c>123456:****</c>).</summary>
public sealed record BotStatus
{
    public required string Id { get; init; }
    public required string State { get; init; }
    public required string Reason { get; init; }
    public int? Pid { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public double? UptimeSeconds { get; init; }
    public int Restarts { get; init; }
    public ExitInfo? LastExit { get; init; }
    public DateTimeOffset? NextStartAt { get; init; }
    public string Health { get; init; } = "unknown";
    public string? Token { get; init; }

    /// <summary>The bot's @username, from getMe.</summary>
    public string? Username { get; init; }

    /// <summary>409 "terminated by other getUpdates request" seen in the bot's output: another instance polls its token.</summary>
    public int Conflicts { get; init; }

    public bool Ready { get; init; }

    /// <summary>The last STATUS=… the bot sent (sd_notify).</summary>
    public string? StatusText { get; init; }

    /// <summary>The last result of each health check, by check name.</summary>
    public Dictionary<string, CheckInfo>? Checks { get; init; }

    public ResourceInfo? Resources { get; init; }
    public LimitsInfo? Limits { get; init; }

    /// <summary>The bot runs behind the daemon's Bot API gateway (its worker has a placeholder token, never the real one).</summary>
    public bool BehindGateway { get; init; }

    /// <summary>What the bot did through the gateway (present once it called it).</summary>
    public GatewayInfo? Gateway { get; init; }

    public required string Source { get; init; }

    /// <summary>
    /// In a cluster: the node that holds the bot's lease (and runs it); absent on a daemon on its own. Any node shows a bot
    /// another node runs as that node does; when that node does not answer, the state is <c>unknown</c> and the reason says so.
    /// </summary>
    public string? Node { get; init; }

    /// <summary>In a cluster: the epoch of the lease the bot's node holds it with (what its worker gets as BOTVISOR_LEASE_EPOCH).</summary>
    public long? LeaseEpoch { get; init; }

    public IReadOnlyList<string> Command { get; init; } = [];
    public bool Autostart { get; init; }
    public IReadOnlyList<string> DependsOn { get; init; } = [];
}

public sealed record CheckInfo(bool Healthy, string Message, DateTimeOffset Time);

/// <summary>A bot's traffic through the Bot API gateway, since the daemon started.</summary>
public sealed record GatewayInfo
{
    /// <summary>When the bot's last getUpdates was answered.</summary>
    public DateTimeOffset? LastPoll { get; init; }

    /// <summary>A getUpdates of the bot is in flight now.</summary>
    public bool Polling { get; init; }

    /// <summary>The bot takes its updates by webhook (a setWebhook went through the gateway, or Telegram said so): liveness watches its pending updates at Telegram instead of getUpdates.</summary>
    public bool Webhook { get; init; }

    public long UpdatesDelivered { get; init; }

    /// <summary>Seconds Telegram asked the bot to wait (429 retry_after), while the gateway holds its calls; absent otherwise.</summary>
    public int? RetryAfter { get; init; }

    /// <summary>Calls, errors, 429s and mean time per Bot API method (<c>file</c>: downloads).</summary>
    public Dictionary<string, GatewayMethodInfo> Methods { get; init; } = [];
}

public sealed record GatewayMethodInfo(long Calls, long Errors, long RateLimited, double MeanMilliseconds);

/// <summary>RSS and CPU of the bot's session, from the last /proc sample.</summary>
public sealed record ResourceInfo(long RssBytes, double CpuPercent, int Processes, DateTimeOffset SampledAt);

/// <summary>
/// The bot's memory_max and cpu_max, and how each is enforced: "cgroup" (the kernel, through the bot's
/// own cgroup), "watched" (memory: RSS sampled, restart when over) or "not enforced" (cpu without a cgroup cpu controller).
/// </summary>
public sealed record LimitsInfo(long? MemoryMax, string? MemoryEnforcement, double? CpuMax, string? CpuEnforcement, string? Cgroup);

/// <summary>How a worker ended.</summary>
public sealed record ExitInfo(int Code, int? ExitCode, string? Signal, string Description);

public sealed record DaemonStatus
{
    public required int Pid { get; init; }
    public required string Version { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required double UptimeSeconds { get; init; }
    public string? Config { get; init; }
    public required string StateDirectory { get; init; }
    public required int Bots { get; init; }
    public required Dictionary<string, int> States { get; init; }

    /// <summary>In a cluster: this node's name (the bots are the cluster's, each with its node).</summary>
    public string? Node { get; init; }

    /// <summary>Whether bots with memory_max or cpu_max get their own cgroup here, and how each limit is enforced.</summary>
    public CgroupsInfo? Cgroups { get; init; }
}

/// <summary>Per-bot cgroups on this host.</summary>
/// <param name="Available">Bots with a limit get a cgroup of their own.</param>
/// <param name="Path">The cgroup v2 directory their cgroups are made in.</param>
/// <param name="Controllers">The controllers each bot's cgroup has (memory, cpu).</param>
/// <param name="Memory">How memory_max is enforced: cgroup (memory.max) or watched (RSS sampled).</param>
/// <param name="Cpu">How cpu_max is enforced: cgroup (cpu.max) or not enforced.</param>
/// <param name="Description">The same, said in a sentence (what <c>status --verbose</c> prints).</param>
public sealed record CgroupsInfo(bool Available, string? Path, IReadOnlyList<string> Controllers, string Memory, string Cpu, string Description);

public sealed record StatusResponse(DaemonStatus Daemon, IReadOnlyList<BotStatus> Bots);

public sealed record HealthResponse(string Status);

/// <summary>An event of the log: a state change, an audit entry (who did what), a daemon message.</summary>
public sealed record EventInfo
{
    public required long Id { get; init; }
    public required DateTimeOffset Time { get; init; }
    public required string Kind { get; init; }
    public string? Bot { get; init; }
    public string? State { get; init; }
    public required string Message { get; init; }
    public string? Actor { get; init; }

    /// <summary>In a cluster: the lease epoch the event was recorded under (a worker's start, exit, stop; a lease's change); absent otherwise.</summary>
    public long? Epoch { get; init; }
}

public sealed record ReloadResponse(int Added, int Changed, int Removed, int Unchanged, string Summary);

public sealed record ShutdownResponse(string Status);

/// <summary>A dashboard session: who it acts as and when it ends.</summary>
public sealed record SessionInfo(string Actor, DateTimeOffset ExpiresAt);

/// <summary>A one-time sign-in link for the dashboard: the full URL on the daemon's TCP address, the same relative to the dashboard's root (behind a proxy), and until when it works.</summary>
public sealed record LoginLinkResponse(string Url, string Path, DateTimeOffset ExpiresAt);

/// <summary>
/// A bot definition for <c>POST /bots</c> and <c>PUT /bots/{id}</c>: the keys of a bot in the fleet
/// file (JSON or YAML). Durations are strings such as <c>10s</c>. Variables (<c>${VAR}</c>) are not expanded.
/// </summary>
public sealed record BotDefinition
{
    public string? Id { get; init; }
    public required IReadOnlyList<string> Command { get; init; }
    public string? Cwd { get; init; }
    public string? Token { get; init; }
    public Dictionary<string, string>? Env { get; init; }
    [JsonPropertyName("inherit_env")] public bool? InheritEnv { get; init; }
    public bool? Autostart { get; init; }
    [JsonPropertyName("depends_on")] public IReadOnlyList<string>? DependsOn { get; init; }
    public string? Restart { get; init; }
    public Dictionary<string, string>? Backoff { get; init; }
    [JsonPropertyName("max_restarts")] public int? MaxRestarts { get; init; }
    [JsonPropertyName("min_uptime")] public string? MinUptime { get; init; }
    [JsonPropertyName("stop_signal")] public string? StopSignal { get; init; }
    [JsonPropertyName("stop_timeout")] public string? StopTimeout { get; init; }

    /// <summary>The account the worker runs as (a name or a uid; the daemon must run as root).</summary>
    public string? User { get; init; }

    /// <summary>The worker's group (a name or a gid; default: the user's primary group).</summary>
    public string? Group { get; init; }

    /// <summary>Run behind the daemon's Bot API gateway: the worker gets a placeholder token, never the real one.</summary>
    public bool? Gateway { get; init; }

    /// <summary>What the gateway watches, such as <c>{"max_poll_gap": "2m"}</c>: a worker that stopped polling is restarted.</summary>
    public Dictionary<string, string>? Liveness { get; init; }
}

/// <summary>RFC 9457 problem details as the CLI reads them.</summary>
public sealed record ProblemInfo
{
    public string? Type { get; init; }
    public string? Title { get; init; }
    public int? Status { get; init; }
    public string? Detail { get; init; }
    public Dictionary<string, string[]>? Errors { get; init; }

    /// <summary>Each validation error once, located (<c>file:line:column: path: message</c>).</summary>
    public string[]? Problems { get; init; }
}

/// <summary>One problem of a fleet file as <c>botvisor validate --json</c> prints it; every key is always present (null when unknown).</summary>
public sealed record ValidationErrorInfo(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? File,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Line,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Column,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string Path,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Value);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = false)]
[JsonSerializable(typeof(BotStatus))]
[JsonSerializable(typeof(List<BotStatus>))]
[JsonSerializable(typeof(IReadOnlyList<BotStatus>))]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(EventInfo))]
[JsonSerializable(typeof(List<EventInfo>))]
[JsonSerializable(typeof(ReloadResponse))]
[JsonSerializable(typeof(ShutdownResponse))]
[JsonSerializable(typeof(SessionInfo))]
[JsonSerializable(typeof(LoginLinkResponse))]
[JsonSerializable(typeof(ResolvedDefinition))]
[JsonSerializable(typeof(BotDefinition))]
[JsonSerializable(typeof(ProblemInfo))]
[JsonSerializable(typeof(List<ValidationErrorInfo>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(CheckInfo))]
[JsonSerializable(typeof(ResourceInfo))]
[JsonSerializable(typeof(SourceInfo))]
[JsonSerializable(typeof(List<SourceInfo>))]
[JsonSerializable(typeof(SourceOutcomeInfo))]
[JsonSerializable(typeof(AlertsResponse))]
[JsonSerializable(typeof(SilenceInfo))]
[JsonSerializable(typeof(SilenceRequest))]
[JsonSerializable(typeof(UnmuteResponse))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Http.HttpValidationProblemDetails))]
[JsonSerializable(typeof(NodesResponse))]
[JsonSerializable(typeof(DrainResponse))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
