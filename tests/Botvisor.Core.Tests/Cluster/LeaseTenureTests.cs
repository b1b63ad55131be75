using Botvisor.Core.Cluster;
using Botvisor.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Botvisor.Core.Tests.Cluster;

/// <summary>The gateway cancels a bot's calls in flight with <see cref="ILeaseFence.Tenure"/>: it must end whenever the node may no longer act for the bot.</summary>
public class LeaseTenureTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly LocalLeases _leases;

    public LeaseTenureTests() => _leases = new LocalLeases(_time, ClusterTiming.Default);

    private CancellationToken Held(string bot, long epoch = 3)
    {
        _leases.Extend([new LeaseGrant(bot, epoch)], _time.GetTimestamp(), adopt: true);
        var tenure = _leases.Tenure(bot);
        Assert.False(tenure.IsCancellationRequested);
        return tenure;
    }

    [Fact]
    public void Tenure_OfABotNotHeld_IsAlreadyOver() => Assert.True(_leases.Tenure("echo").IsCancellationRequested);

    [Fact]
    public void Tenure_EndsWhenTheLeaseIsLost_HandedOver_OrRetakenUnderANewEpoch()
    {
        var lost = Held("lost");
        _leases.Forget(["lost"]);
        Assert.True(lost.IsCancellationRequested);

        var handedOver = Held("handed");
        _leases.BeginRelease("handed");
        Assert.True(handedOver.IsCancellationRequested);
        Assert.True(_leases.Tenure("handed").IsCancellationRequested);

        var old = Held("retaken", epoch: 3);
        _leases.Extend([new LeaseGrant("retaken", 4)], _time.GetTimestamp(), adopt: true);
        Assert.True(old.IsCancellationRequested);
        Assert.False(_leases.Tenure("retaken").IsCancellationRequested);
    }

    [Fact]
    public void Tenure_EndsWhenTheFenceWatchSeesTheRenewDeadlinePass_AndARenewalStartsANewOne()
    {
        var tenure = Held("echo");
        var renewal = _time.GetTimestamp();
        _time.Advance(ClusterTiming.Default.RenewDeadline);
        Assert.Null(_leases.HeldEpoch("echo")); // the clock alone already fences the gateway's next call
        Assert.False(tenure.IsCancellationRequested);
        using (new FenceWatch(_leases, _ => null, (_, _, _) => { }, NullLogger.Instance))
        {
            using var wait = new CancellationTokenSource(TestTimeouts.Event);
            while (!tenure.IsCancellationRequested && !wait.IsCancellationRequested) Thread.Sleep(10); // its next round ends what is in flight
            Assert.True(tenure.IsCancellationRequested);
        }
        Assert.True(_leases.Tenure("echo").IsCancellationRequested);

        _leases.Extend([new LeaseGrant("echo", 3)], _time.GetTimestamp(), adopt: false);
        Assert.NotEqual(renewal, _time.GetTimestamp());
        Assert.False(_leases.Tenure("echo").IsCancellationRequested);
    }
}
