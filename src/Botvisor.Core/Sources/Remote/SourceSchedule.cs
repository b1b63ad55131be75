using Botvisor.Core.Fleet;
using Botvisor.Core.Supervision;

namespace Botvisor.Core.Sources.Remote;

/// <summary>
/// When a source is fetched next (pure): after a fetch that worked, its interval ±10 % (so that many
/// sources, and a cluster's nodes, do not all ask at once); after a failure, backoff from 1s, doubling,
/// at most the interval, ±20 %; after a fetch read under a definition a reload replaced, at once.
/// </summary>
public static class SourceSchedule
{
    public const double IntervalJitter = 0.1;
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);

    /// <param name="random">A value in [0, 1) that places the delay inside its jitter band.</param>
    public static TimeSpan Next(SourceOutcome outcome, TimeSpan interval, double random)
    {
        if (outcome.Stale) return TimeSpan.Zero;
        if (outcome.Ok) return interval * (1 + IntervalJitter * (2 * random - 1));
        var max = interval < FirstRetry ? FirstRetry : interval;
        return BackoffPolicy.Delay(new BackoffSettings(FirstRetry, 2, max, 0.2), Math.Max(1, outcome.Status.ConsecutiveFailures), random);
    }
}
