using Botvisor.Core.Fleet;

namespace Botvisor.Core.Supervision;

/// <summary>Exponential backoff with jitter: <c>initial × multiplier^(n-1)</c>, capped at <c>max</c>, then ± jitter.</summary>
public static class BackoffPolicy
{
    /// <param name="attempt">1 for the first restart after a failure.</param>
    /// <param name="random">A value in [0, 1) that places the delay inside the jitter band.</param>
    public static TimeSpan Delay(BackoffSettings settings, int attempt, double random)
    {
        double ms = settings.Initial.TotalMilliseconds * Math.Pow(settings.Multiplier, Math.Max(0, attempt - 1));
        ms = Math.Min(ms, settings.Max.TotalMilliseconds);
        double factor = 1 + settings.Jitter * (2 * random - 1);
        return TimeSpan.FromMilliseconds(Math.Max(0, ms * factor));
    }
}
