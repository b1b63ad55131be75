namespace Botvisor.Core.Fleet;

/// <summary>Exponential backoff between restarts, as written in the fleet file. Null means "use the default".</summary>
public sealed record BackoffConfig
{
    public TimeSpan? Initial { get; init; }
    public double? Multiplier { get; init; }
    public TimeSpan? Max { get; init; }

    /// <summary>Fraction of the delay (0..1) that is randomised either way.</summary>
    public double? Jitter { get; init; }

    /// <summary><paramref name="own"/>'s keys where set, else <paramref name="fallback"/>'s.</summary>
    public static BackoffConfig? Or(BackoffConfig? own, BackoffConfig? fallback) => own is null || fallback is null ? own ?? fallback : new BackoffConfig
    {
        Initial = own.Initial ?? fallback.Initial,
        Multiplier = own.Multiplier ?? fallback.Multiplier,
        Max = own.Max ?? fallback.Max,
        Jitter = own.Jitter ?? fallback.Jitter,
    };
}
