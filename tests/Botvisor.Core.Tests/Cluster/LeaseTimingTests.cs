using Botvisor.Core.Cluster;
using Botvisor.Core.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace Botvisor.Core.Tests.Cluster;

public class LeaseTimingTests
{
    private static readonly ClusterTiming Timing = ClusterTiming.Default; // 15s, 10s, 2s

    [Fact]
    public void TheDefaults_AreKubernetesLike_AndValid()
    {
        Assert.Equal((TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2)), (Timing.Lease, Timing.RenewDeadline, Timing.Retry));
        Assert.Empty(Timing.Problems());
    }

    [Theory]
    [InlineData(10, 10, 2, "lease")]
    [InlineData(15, 2.4, 2, "renew_deadline")]
    [InlineData(15, 10, 0.05, "retry")]
    public void Invalid_TimingsAreNamed(double lease, double renew, double retry, string key)
    {
        var problems = new ClusterTiming(TimeSpan.FromSeconds(lease), TimeSpan.FromSeconds(renew), TimeSpan.FromSeconds(retry)).Problems();
        Assert.Contains(problems, p => p.Key == key);
    }

    [Fact]
    public void TheFleetFile_RejectsABadClusterSection_WithKeyLineAndValue()
    {
        var loaded = FleetFileLoader.Parse("store: postgres://u@h/db\nnode: n1\ncluster:\n  lease: 5s\n  renew_deadline: 8s\n  retry: 2s\n", "/tmp/f.yaml", "/tmp", _ => null);
        var error = Assert.Single(loaded.Errors);
        Assert.Equal("cluster.lease", error.Path);
        Assert.Equal(4, error.Location!.Value.Line);
        Assert.Equal("5s", error.Value);
        Assert.Contains("longer than renew_deadline 8s", error.Message);

        var bad = FleetFileLoader.Parse("store: mysql://u:secret@h/db\nnode: 'a b'\ncluster: { leese: 3s }\n", "/tmp/f.yaml", "/tmp", _ => null);
        Assert.Contains(bad.Errors, e => e.Path == "store" && e.Value is null && !e.Message.Contains("secret"));
        Assert.Contains(bad.Errors, e => e.Path == "node" && e.Value == "a b");
        Assert.Contains(bad.Errors, e => e.Path == "cluster.leese" && e.Message.Contains("lease"));
    }

    [Fact]
    public void TheFleetFile_ReadsStoreNodeAndTiming()
    {
        var loaded = FleetFileLoader.Parse("store: postgres://u@h/db\nnode: n1\ncluster: { lease: 3s, renew_deadline: 2s, retry: 500ms, advertise: http://10.0.0.5:7070 }\n", "/tmp/f.yaml", "/tmp", _ => null);
        Assert.Empty(loaded.Errors);
        var c = loaded.Fleet!.Cluster;
        Assert.Equal(("postgres://u@h/db", "n1", "http://10.0.0.5:7070"), (c.Store, c.Node, c.Advertise));
        Assert.Equal(new ClusterTiming(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(500)), c.Timing);
        Assert.Null(FleetFileLoader.Parse("store: sqlite\n", "/tmp/f.yaml", "/tmp", _ => null).Fleet!.Cluster.Store);
    }

    [Theory]
    [InlineData(0, LeaseStanding.Valid)]
    [InlineData(9.99, LeaseStanding.Valid)]
    [InlineData(10, LeaseStanding.Fenced)]
    [InlineData(12.49, LeaseStanding.Fenced)]
    [InlineData(12.5, LeaseStanding.Kill)] // halfway through the 5 s grace: the worker must be gone before 15 s
    [InlineData(3600, LeaseStanding.Kill)] // woken from a freeze
    public void TheSelfFencingRule(double secondsSinceRenewalStarted, LeaseStanding expected) =>
        Assert.Equal(expected, LeaseDeadline.Standing(TimeSpan.FromSeconds(secondsSinceRenewalStarted), Timing));

    [Fact]
    public void ALeaseIsHeld_UntilItsRenewDeadline_CountedFromTheStartOfTheRenewal()
    {
        var time = new FakeTimeProvider();
        var leases = new LocalLeases(time, Timing);
        long started = time.GetTimestamp();
        time.Advance(TimeSpan.FromSeconds(3)); // the renewal took 3 s to come back
        Assert.Equal([new LeaseGrant("a", 7)], leases.Extend([new LeaseGrant("a", 7)], started, adopt: true));
        Assert.Equal(7, leases.HeldEpoch("a"));

        time.Advance(TimeSpan.FromSeconds(6.9));
        Assert.Equal(7, leases.HeldEpoch("a"));
        time.Advance(TimeSpan.FromSeconds(0.1)); // 10 s after the renewal started, not after it returned
        Assert.Null(leases.HeldEpoch("a"));

        // A later renewal holds it again; an older one (started before) never moves it back.
        long renewed = time.GetTimestamp();
        Assert.Empty(leases.Extend([new LeaseGrant("a", 7)], renewed, adopt: true));
        Assert.Equal(7, leases.HeldEpoch("a"));
        leases.Extend([new LeaseGrant("a", 7)], started, adopt: true);
        Assert.Equal(renewed, leases.Snapshot()["a"].RenewedAt);
    }

    [Fact]
    public void AHandedOverLease_IsNotHeld_AndUnknownLeasesAreAdoptedOnlyWhenAsked()
    {
        var time = new FakeTimeProvider();
        var leases = new LocalLeases(time, Timing);
        leases.Extend([new LeaseGrant("a", 1)], time.GetTimestamp(), adopt: true);
        leases.BeginRelease("a");
        Assert.Null(leases.HeldEpoch("a"));
        Assert.Empty(leases.Extend([new LeaseGrant("b", 1)], time.GetTimestamp(), adopt: false));
        Assert.Null(leases.HeldEpoch("b"));
        Assert.Equal([new LeaseGrant("a", 1)], leases.Forget(["a", "b"]));
        Assert.Equal(0, leases.Count);
    }

    [Fact]
    public async Task AGateWaitingForALease_OpensWhenItIsGained_OrRenewedAfterAFence()
    {
        var time = new FakeTimeProvider();
        var leases = new LocalLeases(time, Timing);
        var gained = leases.WhenGainedAsync("a", TestContext.Current.CancellationToken);
        Assert.False(gained.IsCompleted);
        leases.Extend([new LeaseGrant("a", 1)], time.GetTimestamp(), adopt: true);
        await gained.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        time.Advance(TimeSpan.FromSeconds(11)); // fenced: not held, and waiting does not complete at once
        var again = leases.WhenGainedAsync("a", TestContext.Current.CancellationToken);
        Assert.False(again.IsCompleted);
        leases.Extend([new LeaseGrant("a", 1)], time.GetTimestamp(), adopt: true);
        await again.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }

    [Fact]
    public void NodeStates_FollowTheHeartbeatsAge()
    {
        NodeRow Row(double age, bool draining = false, bool left = false) =>
            new("n", "1", "http://x", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(age), draining, left);
        Assert.Equal(NodeState.Up, NodeStates.Classify(Row(2), Timing));
        Assert.Equal(NodeState.Suspect, NodeStates.Classify(Row(11), Timing));
        Assert.Equal(NodeState.Gone, NodeStates.Classify(Row(16), Timing));
        Assert.Equal(NodeState.Draining, NodeStates.Classify(Row(1, draining: true), Timing));
        Assert.Equal(NodeState.Gone, NodeStates.Classify(Row(1, left: true), Timing));
        Assert.True(NodeState.Suspect.TakesBots());
        Assert.False(NodeState.Draining.TakesBots());
    }
}
