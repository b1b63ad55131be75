namespace Botvisor.Core.Fleet;

/// <summary>Effective backoff of one bot: every value set.</summary>
public sealed record BackoffSettings(TimeSpan Initial, double Multiplier, TimeSpan Max, double Jitter);
