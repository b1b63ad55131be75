using System.Diagnostics;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.Cluster;

/// <summary>A frozen node, a node cut off from PostgreSQL, and PostgreSQL itself restarting.</summary>
[Collection(PostgresCollection.Name)]
public class ClusterOutageTests
{
    private static async Task<ClusterHarness> TwoNodesAsync(int bots, string? timing = null, bool proxyA = false)
    {
        var cluster = timing is null ? await ClusterHarness.CreateAsync(bots) : await ClusterHarness.CreateAsync(bots, timing);
        await Task.WhenAll(cluster.StartNodeAsync("a", proxied: proxyA), cluster.StartNodeAsync("b"));
        await cluster.AllRunningOnceAsync("every bot running once on two nodes");
        var sw = Stopwatch.StartNew();
        while (!((await cluster.HoldersAsync()) is { Count: 2 } h && h.Values.All(v => v.Count == bots / 2)))
        {
            Assert.True(sw.Elapsed < TestTimeouts.Daemon, "the bots were never spread over both nodes");
            await Task.Delay(100);
        }
        return cluster;
    }

    [Fact]
    public async Task AFrozenNode_IsTakenOver_AndOnResumingEndsItsWorkersFirst_WithinASecond()
    {
        await using var cluster = await TwoNodesAsync(8);
        var frozenBots = (await cluster.HoldersAsync())["a"];
        var frozenPids = frozenBots.Select(b => cluster.Sampler.Current[b].Single().Pid).ToList();

        var stoppedAt = cluster.Sampler.Now;
        cluster["a"].Signal("STOP");
        try
        {
            // Past the lease, b takes every bot over: while a is frozen, its workers still run beside the new ones.
            await cluster.Sampler.WaitUntilAsync(c => frozenBots.All(b => c.TryGetValue(b, out var w) && w.Count == 2), "b's workers beside the frozen node's");
        }
        finally
        {
            cluster["a"].Signal("CONT");
        }
        var resumedAt = cluster.Sampler.Now;
        await cluster.Sampler.WaitUntilAsync(_ => !frozenPids.Any(Processes.IsAlive), "the resumed node's workers ended", TestTimeouts.Event);
        var ended = cluster.Sampler.Now - resumedAt;
        Assert.True(ended <= TimeSpan.FromSeconds(1) + WorkerSampler.Period * 2, $"the resumed node ended its workers {ended.TotalMilliseconds:0} ms after SIGCONT");

        // Outside the freeze (and the second the rule gives the resumed node), never two workers of a bot.
        var overlaps = cluster.Overlaps((stoppedAt, resumedAt + TimeSpan.FromSeconds(1)));
        Assert.True(overlaps.Count == 0, ClusterHarness.Describe(overlaps));
        await cluster.AllRunningOnceAsync("every bot running once after the freeze");
        // It said why it killed them: the fence watch (705), or the first round after the freeze finding the leases lost (703), whichever ran first.
        Assert.Contains(cluster["a"].Entries, e => e.EventId is 703 or 705);
    }

    [Fact]
    public async Task ANodeCutOffFromPostgres_FencesItselfBeforeItsLeasesExpire_NeverTwoWorkers()
    {
        await using var cluster = await TwoNodesAsync(8, proxyA: true);
        var cutBots = (await cluster.HoldersAsync())["a"];
        int mark = cluster["a"].Mark;

        cluster.Proxy("a").Cut();
        // Self-fenced: stopped at the renew deadline (704), or killed at once when the fence watch first ran past the kill point (705, a busy machine).
        var fenced = Stopwatch.StartNew();
        while (!cluster["a"].Entries.Skip(mark).Any(e => e.EventId is 704 or 705))
        {
            Assert.True(fenced.Elapsed < TestTimeouts.Event, "node a never fenced itself");
            await Task.Delay(50);
        }
        await cluster.AllRunningOnceAsync("node a's bots running on b");
        Assert.All(cutBots, b => Assert.Contains(b, (cluster.HoldersAsync().Result)["b"]));
        Assert.True(cluster.Overlaps().Count == 0, ClusterHarness.Describe(cluster.Overlaps()));

        // Back in touch, it takes its share again, by handovers.
        cluster.Proxy("a").Restore();
        var sw = Stopwatch.StartNew();
        while (!((await cluster.HoldersAsync()).GetValueOrDefault("a") is { Count: 4 }))
        {
            Assert.True(sw.Elapsed < TestTimeouts.Daemon, "node a never took its share back");
            await Task.Delay(100);
        }
        await cluster.AllRunningOnceAsync("every bot running once after the cut");
        Assert.True(cluster.Overlaps().Count == 0, ClusterHarness.Describe(cluster.Overlaps()));
    }

    /// <summary>Ten rounds of the fence watch (100 ms each).</summary>
    private static readonly TimeSpan FenceWatchRounds = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task PostgresRestartedForThreeSeconds_StopsNothing()
    {
        // The defaults' proportions, shorter: a 3 s outage is well within the renew deadline.
        await using var cluster = await TwoNodesAsync(6, "{ lease: 10s, renew_deadline: 7s, retry: 1s }");
        var pids = cluster.Bots.ToDictionary(b => b, b => cluster.Sampler.Current[b].Single().Pid);
        var leases = await cluster.LeasesAsync(cluster.Bots);

        var outage = await cluster.DatabaseNowAsync(); // no renewal can start later than this until the server is back
        await TestPostgres.RestartAsync(TimeSpan.FromSeconds(3));

        // Past the window: every node has renewed its leases again at a moment (by the database's clock) later than the renew
        // deadline counted from the outage's start, plus ten rounds of the fence watch; a node that was going to fence itself
        // over the outage has done so by then.
        var past = outage + TimeSpan.FromSeconds(7) + FenceWatchRounds;
        var sw = Stopwatch.StartNew();
        while (!((await cluster.HeartbeatsAsync()) is var beats && new[] { "a", "b" }.All(n => beats.GetValueOrDefault(n) > past)))
        {
            Assert.True(sw.Elapsed < TestTimeouts.Daemon, "the nodes never renewed their leases after the outage");
            await Task.Delay(100);
        }

        Assert.Equal(leases, await cluster.LeasesAsync(cluster.Bots)); // the same holders and epochs, never changed
        Assert.All(cluster.Bots, b => Assert.Equal(pids[b], cluster.Sampler.Current[b].Single().Pid));
        Assert.DoesNotContain(cluster["a"].Entries.Concat(cluster["b"].Entries), e => e.EventId is 703 or 704 or 705);
        Assert.True(cluster.Overlaps().Count == 0, ClusterHarness.Describe(cluster.Overlaps()));
    }
}
