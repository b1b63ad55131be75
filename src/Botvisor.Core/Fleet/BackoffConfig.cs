namespace Botvisor.Core.Fleet;

/// <summary>Exponential backoff between restarts, as written in the fleet file. Null means "use the default".</summary>
public sealed record BackoffConfig
{
    public TimeSpan? Initial { get; init; }
    public double? Multiplier { get; init; }
    public TimeSpan? Max { get; init; }

    /// <summary>Fraction of the delay (0..1) that is randomised either way.</summary>
    public double? Jitter { get; init; }
}
