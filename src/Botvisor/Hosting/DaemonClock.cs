namespace Botvisor.Hosting;

/// <summary>When this daemon started.</summary>
public sealed class DaemonClock(TimeProvider time)
{
    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();
}
