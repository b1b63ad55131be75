using Botvisor.Core.Fleet;

namespace Botvisor.Core.Supervision;

public enum RestartAction
{
    /// <summary>Wait <see cref="RestartDecision.Delay"/> in Backoff, then start again.</summary>
    Restart,

    /// <summary>The worker ended as the policy allows: Stopped.</summary>
    Stop,

    /// <summary>Give up: Failed.</summary>
    Fail,
}

/// <summary>What to do after a worker ended on its own.</summary>
public sealed record RestartDecision(RestartAction Action, TimeSpan Delay, int ConsecutiveFailures, string Reason)
{
    /// <summary>
    /// Applies the restart policy, the <c>min_uptime</c> reset and the <c>max_restarts</c> budget.
    /// </summary>
    /// <param name="consecutiveFailures">Restarts so far without a stable run.</param>
    /// <param name="random">A value in [0, 1) for the jitter.</param>
    /// <param name="forcedFailure">The worker was ended by Botvisor for a fault (watchdog, start timeout, failed probe): a failure whatever its exit code.</param>
    public static RestartDecision Decide(BotSpec spec, ExitStatus exit, TimeSpan uptime, int consecutiveFailures, double random, bool forcedFailure = false)
    {
        bool failed = forcedFailure || !exit.IsSuccess;
        if (uptime >= spec.MinUptime) consecutiveFailures = 0;

        bool restart = spec.Restart switch
        {
            RestartPolicy.Always => true,
            RestartPolicy.OnFailure => failed,
            _ => false,
        };

        if (!restart)
        {
            return failed
                ? new RestartDecision(RestartAction.Fail, TimeSpan.Zero, consecutiveFailures, $"worker {exit} (restart: {spec.Restart.ToName()})")
                : new RestartDecision(RestartAction.Stop, TimeSpan.Zero, consecutiveFailures, $"worker {exit}");
        }

        if (consecutiveFailures >= spec.MaxRestarts)
        {
            return new RestartDecision(RestartAction.Fail, TimeSpan.Zero, consecutiveFailures,
                $"gave up after {consecutiveFailures} restarts without a run of {Configuration.DurationParser.Format(spec.MinUptime)} (max_restarts: {spec.MaxRestarts}); last: worker {exit}");
        }

        int attempt = consecutiveFailures + 1;
        var delay = BackoffPolicy.Delay(spec.Backoff, attempt, random);
        return new RestartDecision(RestartAction.Restart, delay, attempt,
            $"worker {exit}; restart {attempt} of {spec.MaxRestarts} in {Configuration.DurationParser.Format(delay)}");
    }
}
