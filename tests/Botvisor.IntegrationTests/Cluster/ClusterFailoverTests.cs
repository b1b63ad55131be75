using System.Diagnostics;
using System.Text.Json;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.Cluster;

/// <summary>
/// Real daemons on one PostgreSQL with lease 3s, renew deadline 2s, retry 500ms, and a sampler that records
/// every live worker every 50 ms: whatever happens to a node, no bot ever has two live workers (except, as
/// the rule allows, while a frozen node is frozen).
/// </summary>
[Collection(PostgresCollection.Name)]
public class ClusterFailoverTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    private static async Task<ClusterHarness> ThreeNodesAsync(int bots = 12)
    {
        var cluster = await ClusterHarness.CreateAsync(bots);
        await Task.WhenAll(cluster.StartNodeAsync("a"), cluster.StartNodeAsync("b"), cluster.StartNodeAsync("c"));
        await cluster.AllRunningOnceAsync("every bot running once on three nodes");
        await cluster.WaitForHoldersAsync(h => h.Count == 3 && h.Values.All(b => b.Count == bots / 3), "an even spread");
        return cluster;
    }

    [Fact]
    public async Task KillNine_ItsWorkersDieWithIt_ItsBotsStartElsewhereWithinLeasePlus2s_NeverTwice()
    {
        await using var cluster = await ThreeNodesAsync();
        var victim = (await cluster.HoldersAsync())["b"];
        var orphans = victim.Select(b => cluster.Sampler.Current[b].Single().Pid).ToList();

        var killedAt = await cluster.DatabaseNowAsync();
        Processes.Kill(cluster["b"].Pid, "KILL");

        // The guardian ends the dead node's workers, long before its leases can expire.
        var sw = Stopwatch.StartNew();
        while (orphans.Any(Processes.IsAlive) && sw.Elapsed < TestTimeouts.Event) await Task.Delay(20);
        Assert.All(orphans, pid => Assert.False(Processes.IsAlive(pid), $"worker {pid} outlived its killed daemon"));

        await cluster.AllRunningOnceAsync("the killed node's bots running elsewhere");
        var leases = await cluster.LeasesAsync(victim);
        foreach (var bot in victim)
        {
            var (holder, epoch, changedAt) = leases[bot];
            Assert.True(holder is "a" or "c", $"{bot} is held by {holder}");
            Assert.True(epoch >= 2, $"{bot}'s epoch {epoch} did not grow with the new holder");
            Assert.True(changedAt - killedAt <= Lease + TimeSpan.FromSeconds(2), $"{bot} was taken over {(changedAt - killedAt).TotalSeconds:0.00}s after the kill (lease + 2s is {(Lease + TimeSpan.FromSeconds(2)).TotalSeconds}s)");
            Assert.Equal(epoch, cluster.Sampler.Current[bot].Single().Epoch); // the worker got the new epoch
        }
        Assert.True(cluster.Overlaps().Count == 0, ClusterHarness.Describe(cluster.Overlaps()));

        // Any node's status lists every bot; one held elsewhere shows as it runs there, with its node.
        var takenByC = (await cluster.HoldersAsync())["c"].First();
        var pattern = new System.Text.RegularExpressions.Regex($@"(?m)^{takenByC}\s+running\s+c\s+\S+\s+{cluster.Sampler.Current[takenByC].Single().Pid}\s");
        sw.Restart();
        string shown;
        while (!pattern.IsMatch(shown = (await DaemonRunner.RunCliAsync("status", "--state-dir", cluster["a"].StateDir)).Stdout))
        {
            Assert.True(sw.Elapsed < TestTimeouts.Event, "node a's status never said where " + takenByC + " runs:\n" + shown);
            await Task.Delay(200);
        }
        // And its JSON names the node (the dashboard's Node column).
        var json = JsonDocument.Parse((await DaemonRunner.RunCliAsync("status", "--json", "--state-dir", cluster["a"].StateDir)).Stdout).RootElement;
        Assert.Equal("c", json.GetProperty("bots").EnumerateArray().Single(b => b.GetProperty("id").GetString() == takenByC).GetProperty("node").GetString());

        // The others see it gone.
        sw.Restart();
        while ((await cluster.NodesAsync("a")).GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("name").GetString() == "b").GetProperty("state").GetString() != "gone")
        {
            Assert.True(sw.Elapsed < TestTimeouts.Event, "node b never showed as gone");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task AJoiningNode_TakesItsShare_ADrainedNodeGivesAllAway_EveryMoveAHandover()
    {
        await using var cluster = await ThreeNodesAsync();
        var before = await cluster.HoldersAsync();

        await cluster.StartNodeAsync("d");
        await cluster.WaitForHoldersAsync(h => h.GetValueOrDefault("d")?.Count == 3 && h.Values.All(b => b.Count == 3), "the fourth node's share");
        var after = await cluster.HoldersAsync();
        foreach (var node in new[] { "a", "b", "c" }) Assert.Subset(before[node].ToHashSet(), after[node].ToHashSet()); // only its share moved
        await cluster.AllRunningOnceAsync("every bot running after the join");

        var drain = await DaemonRunner.RunCliAsync("nodes", "drain", "a", "--state-dir", cluster["b"].StateDir);
        Assert.True(drain.ExitCode == 0, drain.Stderr);
        Assert.Contains("node a is draining", drain.Stdout, StringComparison.Ordinal);
        await cluster.WaitForHoldersAsync(h => !h.ContainsKey("a") && h.Values.Sum(b => b.Count) == 12, "node a drained");
        await cluster.AllRunningOnceAsync("every bot running after the drain");

        var nodes = await DaemonRunner.RunCliAsync("nodes", "--state-dir", cluster["a"].StateDir);
        Assert.True(nodes.ExitCode == 0, nodes.Stderr);
        var lineA = nodes.Stdout.Split('\n').Single(l => l.StartsWith("a *", StringComparison.Ordinal));
        Assert.Matches(@"^a \*\s+draining\s+0\s", lineA);
        Assert.Contains("NODE", nodes.Stdout, StringComparison.Ordinal);
        var json = await DaemonRunner.RunCliAsync("nodes", "--json", "--state-dir", cluster["a"].StateDir);
        Assert.Contains("\"cluster\":true", json.Stdout, StringComparison.Ordinal);

        Assert.True(cluster.Overlaps().Count == 0, ClusterHarness.Describe(cluster.Overlaps()));
    }

    [Fact]
    public async Task Shutdown_OfOneNode_HandsItsBotsOver()
    {
        await using var cluster = await ThreeNodesAsync();
        var held = (await cluster.HoldersAsync())["c"];
        var shutdown = await DaemonRunner.RunCliAsync("shutdown", "--state-dir", cluster["c"].StateDir);
        Assert.True(shutdown.ExitCode == 0, shutdown.Stderr);
        Assert.Equal(0, await cluster["c"].WaitForExitAsync());
        await cluster.WaitForHoldersAsync(h => !h.ContainsKey("c") && h.Values.Sum(b => b.Count) == 12, "node c's bots handed over");
        await cluster.AllRunningOnceAsync("every bot running on a and b");
        Assert.True(cluster.Overlaps().Count == 0, ClusterHarness.Describe(cluster.Overlaps()));
        Assert.All(held, b => Assert.Single(cluster.Sampler.Current[b]));
    }

    [Fact]
    public async Task ABotAddedThroughOneNodesApi_RunsOnceInTheCluster_AndItsRemovalReachesEveryNode()
    {
        await using var cluster = await ClusterHarness.CreateAsync(4);
        await Task.WhenAll(cluster.StartNodeAsync("a"), cluster.StartNodeAsync("b"));
        await cluster.AllRunningOnceAsync("the file's bots");

        using (var http = cluster["a"].UnixHttp())
        {
            var added = await http.PostAsync("bots", new StringContent("{\"id\":\"added\",\"command\":[\"sleep\",\"3600\"],\"env\":{\"CLUSTER_RUN\":\"" + cluster.RunMark + "\"}}", System.Text.Encoding.UTF8, "application/json"));
            Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        }
        await cluster.Sampler.WaitUntilAsync(c => c.TryGetValue("added", out var w) && w.Count == 1, "the added bot running");
        // Rounds of each node since (b syncs the added bot, then its heartbeat carries it): both define it, the same fleet.
        await cluster.WaitForRoundsAsync("b", "a", 3);
        var sw = Stopwatch.StartNew();
        while ((await cluster.NodesAsync("b")).GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("fleet").GetString()).Distinct().Count() != 1)
        {
            Assert.True(sw.Elapsed < TestTimeouts.Event, "nodes a and b never defined the same bots");
            await Task.Delay(100);
        }

        using (var http = cluster["b"].UnixHttp())
        {
            var removed = await http.DeleteAsync("bots/added");
            Assert.True(removed.IsSuccessStatusCode, await removed.Content.ReadAsStringAsync());
        }
        await cluster.Sampler.WaitUntilAsync(c => !c.ContainsKey("added"), "the removed bot gone from every node");
        Assert.True(cluster.Overlaps().Count == 0, ClusterHarness.Describe(cluster.Overlaps()));
    }

    [Fact]
    public async Task CommandsForABotHeldElsewhere_AreForwardedToItsNode()
    {
        await using var cluster = await ClusterHarness.CreateAsync(4);
        await Task.WhenAll(cluster.StartNodeAsync("a"), cluster.StartNodeAsync("b"));
        await cluster.AllRunningOnceAsync("the bots");
        await cluster.WaitForHoldersAsync(h => h.Count == 2 && h.Values.All(v => v.Count == 2), "two bots each");
        string bot = (await cluster.HoldersAsync())["b"][0];
        // Node a has seen the holders: its status says the bot runs on node b.
        async Task<string?> NodeShownByA()
        {
            var status = JsonDocument.Parse((await DaemonRunner.RunCliAsync("status", "--json", "--state-dir", cluster["a"].StateDir)).Stdout).RootElement;
            var entry = status.GetProperty("bots").EnumerateArray().Single(b => b.GetProperty("id").GetString() == bot);
            return entry.TryGetProperty("node", out var node) ? node.GetString() : null;
        }
        var sw = Stopwatch.StartNew();
        while (await NodeShownByA() != "b")
        {
            Assert.True(sw.Elapsed < TestTimeouts.Event, $"node a never saw that {bot} runs on node b");
            await Task.Delay(100);
        }

        var stop = await DaemonRunner.RunCliAsync("stop", bot, "--state-dir", cluster["a"].StateDir);
        Assert.True(stop.ExitCode == 0, stop.Stdout + stop.Stderr);
        await cluster.Sampler.WaitUntilAsync(c => !c.ContainsKey(bot), "the bot stopped on node b");
        await cluster["b"].WaitForAsync(200, e => e.Message.StartsWith($"Bot {bot}: stopped", StringComparison.Ordinal));

        var start = await DaemonRunner.RunCliAsync("start", bot, "--state-dir", cluster["a"].StateDir);
        Assert.True(start.ExitCode == 0, start.Stdout + start.Stderr);
        await cluster.Sampler.WaitUntilAsync(c => c.TryGetValue(bot, out var w) && w.Count == 1, "the bot running again on node b");
        Assert.Equal("b", (await cluster.LeasesAsync([bot]))[bot].Holder);

        // Node b audited the caller, via node a.
        using var http = cluster["b"].UnixHttp();
        var events = await http.GetStringAsync($"events?bot={bot}&tail=100&follow=false");
        Assert.Contains("via node a", events, StringComparison.Ordinal);
        Assert.True(cluster.Overlaps().Count == 0, ClusterHarness.Describe(cluster.Overlaps()));
    }

    [Fact]
    public async Task AThousandBots_OnThreeNodes_AreBalancedWithinTenPercent_AndAJoinMovesOnlyTheNewNodesShare()
    {
        // Placed and leased without workers (autostart: false): the spread is the point, not a thousand processes.
        await using var cluster = await ClusterHarness.CreateAsync(1000, "{ lease: 6s, renew_deadline: 4s, retry: 1s }", autostart: false);
        await Task.WhenAll(cluster.StartNodeAsync("a"), cluster.StartNodeAsync("b"), cluster.StartNodeAsync("c"));
        await cluster.WaitForHoldersAsync(h => h.Values.Sum(b => b.Count) == 1000 && h.Count == 3 && h.Values.All(b => b.Count is >= 300 and <= 367), "1,000 bots over three nodes");
        var before = await cluster.HoldersAsync();

        await cluster.StartNodeAsync("d");
        await cluster.WaitForHoldersAsync(h => h.Values.Sum(b => b.Count) == 1000 && h.GetValueOrDefault("d")?.Count is >= 225 and <= 275 && h.Values.All(b => b.Count <= 275), "the fourth node's share");
        var after = await cluster.HoldersAsync();
        foreach (var node in new[] { "a", "b", "c" }) Assert.Subset(before[node].ToHashSet(), after[node].ToHashSet());
    }

    [Fact]
    public async Task AThousandBotsWithRealWorkers_OnThreeNodes_AreBalancedWithinTenPercent_EachWithExactlyOneLiveWorker()
    {
        // The same spread with a worker per bot (sleep: a process that costs next to nothing), 333 or so per node.
        var generous = TestTimeouts.Daemon * 3;
        var sw = Stopwatch.StartNew();
        await using var cluster = await ClusterHarness.CreateAsync(1000, "{ lease: 6s, renew_deadline: 4s, retry: 1s }");
        await Task.WhenAll(cluster.StartNodeAsync("a"), cluster.StartNodeAsync("b"), cluster.StartNodeAsync("c"));
        // Settled: spread within ten percent, and every bot with exactly one live worker, under its bot's current lease
        // (a node that joined a round late takes its share by handovers, so the spread comes first and the workers follow).
        string last = "";
        while (true)
        {
            var holders = await cluster.HoldersAsync();
            var leases = await cluster.LeasesAsync(cluster.Bots);
            var workers = cluster.Sampler.Current;
            bool balanced = holders.Count == 3 && holders.Values.Sum(b => b.Count) == 1000 && holders.Values.All(b => b.Count is >= 300 and <= 367);
            int once = cluster.Bots.Count(b => workers.TryGetValue(b, out var w) && w.Count == 1 && w[0].Epoch == leases[b].Epoch);
            if (balanced && once == 1000) break;
            last = $"spread {string.Join(", ", holders.Select(kv => $"{kv.Key}={kv.Value.Count}"))}; {once} bots with one worker under the current lease";
            if (sw.Elapsed > generous) throw new TimeoutException("a thousand bots with workers never settled: " + last);
            await Task.Delay(500);
        }
        Assert.True(cluster.Overlaps().Count == 0, ClusterHarness.Describe(cluster.Overlaps()));
    }

    [Fact]
    public async Task ASecondDaemonWithALiveNodesName_TakesNoBots()
    {
        await using var cluster = await ClusterHarness.CreateAsync(4);
        await cluster.StartNodeAsync("a");
        await cluster.AllRunningOnceAsync("the bots on node a");

        var twin = await cluster.StartNodeAsync("twin", nodeName: "a");
        await twin.WaitForAsync(713); // another live daemon is node a
        // Rounds of the twin past the refusal (its view of node a's heartbeat advancing), more than the one a claim waits for.
        await cluster.WaitForRoundsAsync("twin", "a", 4);
        Assert.DoesNotContain(twin.Entries, e => e.EventId == 701); // it took no lease
        Assert.Contains(cluster["a"].Entries, e => e.EventId == 701); // (which the real node a logged, for each of its bots)
        Assert.True(cluster.Overlaps().Count == 0, ClusterHarness.Describe(cluster.Overlaps()));
        Assert.Equal(4, (await cluster.HoldersAsync())["a"].Count);
    }
}
