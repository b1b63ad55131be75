using System.Text.Json.Serialization;

namespace Botvisor.Api.Contracts;

/// <summary>
/// A bot's definition as the daemon resolved it (defaults applied, paths absolute), with every secret
/// left out: the token and any token in the command masked, the environment by names only (values may
/// be secrets of any shape), credentials in URLs masked. Durations as the fleet file writes them.
/// </summary>
public sealed record ResolvedDefinition
{
    public required string Id { get; init; }
    public required string Source { get; init; }
    public required IReadOnlyList<string> Command { get; init; }
    public required string Cwd { get; init; }
    public string? Token { get; init; }
    [JsonPropertyName("env_names")] public required IReadOnlyList<string> EnvNames { get; init; }
    [JsonPropertyName("inherit_env")] public bool InheritEnv { get; init; }
    public bool Autostart { get; init; }
    [JsonPropertyName("depends_on")] public required IReadOnlyList<string> DependsOn { get; init; }
    public required string Restart { get; init; }
    public required BackoffDefinition Backoff { get; init; }
    [JsonPropertyName("max_restarts")] public int MaxRestarts { get; init; }
    [JsonPropertyName("min_uptime")] public required string MinUptime { get; init; }
    [JsonPropertyName("stop_signal")] public required string StopSignal { get; init; }
    [JsonPropertyName("stop_timeout")] public required string StopTimeout { get; init; }
    public required string Ready { get; init; }
    [JsonPropertyName("start_timeout")] public required string StartTimeout { get; init; }
    public string? Watchdog { get; init; }
    public HealthDefinition? Health { get; init; }
    [JsonPropertyName("memory_max")] public long? MemoryMax { get; init; }
    [JsonPropertyName("cpu_max")] public double? CpuMax { get; init; }
    public string? User { get; init; }
    public string? Group { get; init; }
    public required LogsDefinition Logs { get; init; }
    public required TelegramDefinition Telegram { get; init; }
}

public sealed record BackoffDefinition(string Initial, double Multiplier, string Max, double Jitter);

public sealed record HealthDefinition(
    string Http, string Interval, string Timeout, int Failures,
    [property: JsonPropertyName("initial_delay")] string InitialDelay);

public sealed record LogsDefinition(
    [property: JsonPropertyName("max_size")] long MaxSize,
    [property: JsonPropertyName("max_files")] int MaxFiles);

public sealed record TelegramDefinition(
    [property: JsonPropertyName("api_base_url")] string ApiBaseUrl,
    bool Validate,
    [property: JsonPropertyName("check_interval")] string? CheckInterval,
    [property: JsonPropertyName("clear_webhook")] bool ClearWebhook);
