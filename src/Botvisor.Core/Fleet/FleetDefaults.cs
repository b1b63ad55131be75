namespace Botvisor.Core.Fleet;

/// <summary>The <c>defaults:</c> section: values every bot takes unless it sets its own.</summary>
public sealed record FleetDefaults
{
    public static readonly FleetDefaults Empty = new();

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
    public double? CpuMax { get; init; }
    public string? User { get; init; }
    public string? Group { get; init; }
}
