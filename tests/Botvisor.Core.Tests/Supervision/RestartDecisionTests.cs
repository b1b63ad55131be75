using Botvisor.Core.Fleet;
using Botvisor.Core.Supervision;

namespace Botvisor.Core.Tests.Supervision;

public class RestartDecisionTests
{
    private static BotSpec Spec(RestartPolicy policy, int maxRestarts = 3) => new()
    {
        Id = "bot",
        Command = ["true"],
        WorkingDirectory = "/",
        Restart = policy,
        MaxRestarts = maxRestarts,
        MinUptime = TimeSpan.FromSeconds(30),
        Backoff = new BackoffSettings(TimeSpan.FromSeconds(1), 2, TimeSpan.FromMinutes(1), 0),
    };

    private static readonly TimeSpan Short = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(RestartPolicy.Always, 0, RestartAction.Restart)]
    [InlineData(RestartPolicy.Always, 1, RestartAction.Restart)]
    [InlineData(RestartPolicy.OnFailure, 0, RestartAction.Stop)]
    [InlineData(RestartPolicy.OnFailure, 1, RestartAction.Restart)]
    [InlineData(RestartPolicy.Never, 0, RestartAction.Stop)]
    [InlineData(RestartPolicy.Never, 1, RestartAction.Fail)]
    public void Decide_FollowsThePolicy(RestartPolicy policy, int exitCode, RestartAction expected) =>
        Assert.Equal(expected, RestartDecision.Decide(Spec(policy), ExitStatus.Exited(exitCode), Short, 0, 0.5).Action);

    [Fact]
    public void Decide_DeathBySignal_IsAFailure() =>
        Assert.Equal(RestartAction.Restart, RestartDecision.Decide(Spec(RestartPolicy.OnFailure), ExitStatus.Killed(9), Short, 0, 0.5).Action);

    [Fact]
    public void Decide_BudgetSpent_Fails_WithTheReason()
    {
        var d = RestartDecision.Decide(Spec(RestartPolicy.Always, maxRestarts: 3), ExitStatus.Exited(1), Short, 3, 0.5);
        Assert.Equal(RestartAction.Fail, d.Action);
        Assert.Contains("gave up after 3 restarts", d.Reason);
        Assert.Contains("exited with code 1", d.Reason);
    }

    [Fact]
    public void Decide_CountsConsecutiveFailuresAndBacksOff()
    {
        var d1 = RestartDecision.Decide(Spec(RestartPolicy.Always), ExitStatus.Exited(1), Short, 0, 0.5);
        var d2 = RestartDecision.Decide(Spec(RestartPolicy.Always), ExitStatus.Exited(1), Short, d1.ConsecutiveFailures, 0.5);
        Assert.Equal((1, TimeSpan.FromSeconds(1)), (d1.ConsecutiveFailures, d1.Delay));
        Assert.Equal((2, TimeSpan.FromSeconds(2)), (d2.ConsecutiveFailures, d2.Delay));
    }

    [Fact]
    public void Decide_RunLongerThanMinUptime_ResetsTheBudget()
    {
        var d = RestartDecision.Decide(Spec(RestartPolicy.Always, maxRestarts: 3), ExitStatus.Exited(1), TimeSpan.FromMinutes(5), 3, 0.5);
        Assert.Equal(RestartAction.Restart, d.Action);
        Assert.Equal(1, d.ConsecutiveFailures);
        Assert.Equal(TimeSpan.FromSeconds(1), d.Delay);
    }
}
