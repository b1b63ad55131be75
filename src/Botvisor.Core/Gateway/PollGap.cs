namespace Botvisor.Core.Gateway;

/// <summary>
/// <c>liveness.max_poll_gap</c> as a decision: a worker whose last getUpdates started or ended longer ago
/// than the gap, and that has none in flight, has stopped polling. A poll in flight counts as polling
/// (a long poll may last longer than the gap); its end starts the gap again.
/// </summary>
public static class PollGap
{
    /// <summary>Null: still polling, look again after <c>CheckAgainIn</c>; otherwise the reason to restart the worker.</summary>
    public static (string? Stopped, TimeSpan CheckAgainIn) Check(TimeSpan sinceLastPoll, bool inFlight, TimeSpan maxGap)
    {
        if (inFlight) return (null, maxGap);
        if (sinceLastPoll < maxGap) return (null, maxGap - sinceLastPoll);
        return ($"polling stopped: no getUpdates through the gateway for {Configuration.DurationParser.Format(Round(sinceLastPoll))} (liveness.max_poll_gap {Configuration.DurationParser.Format(maxGap)}); the process was alive", TimeSpan.Zero);
    }

    private static TimeSpan Round(TimeSpan t) => TimeSpan.FromSeconds(Math.Floor(t.TotalSeconds));
}
