using System.Text.Json;
using Botvisor.IntegrationTests.Runners;

namespace Botvisor.IntegrationTests.Cluster;

/// <summary>
/// One desired state for the cluster: the fleet file last applied by a person, kept in PostgreSQL and run by
/// every node. Nodes with different files do not fight: a joining node runs the cluster's fleet, a reload
/// publishes a node's file, and the difference shows in <c>botvisor nodes</c>.
/// </summary>
[Collection(PostgresCollection.Name)]
public class ClusterFleetTests
{
    private static JsonElement Node(JsonElement nodes, string name) => nodes.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("name").GetString() == name);

    [Fact]
    public async Task NodesWithDifferentFiles_RunOneFleet_TheLastReloadedWins_AndTheyNeverTakeTurns()
    {
        await using var cluster = await ClusterHarness.CreateAsync(4);
        var shared = cluster.Bots;
        await cluster.StartNodeAsync("a");
        await cluster.AllRunningOnceAsync("a's fleet running");

        // b joins with a file of its own (one bot more): it runs the cluster's fleet, and says its file differs.
        await cluster.StartNodeAsync("b", extraBots: ["only-b"]);
        await cluster.WaitForRoundsAsync(4);
        Assert.False(cluster.Sampler.Current.ContainsKey("only-b"), "a joining node's file must not change the cluster's fleet");
        var nodes = await cluster.NodesAsync("a");
        Assert.Equal(1, nodes.GetProperty("fleet").GetProperty("generation").GetInt64());
        Assert.Equal("a", nodes.GetProperty("fleet").GetProperty("node").GetString());
        Assert.Equal("differs", Node(nodes, "b").GetProperty("file").GetString());
        Assert.Equal("same", Node(nodes, "a").GetProperty("file").GetString());
        Assert.Equal("1", Node(nodes, "b").GetProperty("fleet").GetString());
        var table = await DaemonRunner.RunCliAsync("nodes", "--state-dir", cluster["a"].StateDir);
        Assert.Contains("differs", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("generation 1", table.Stdout, StringComparison.Ordinal);

        // A plain reload of b (its file unchanged since b read it: to pick up its own settings, say) publishes nothing.
        var reload = await DaemonRunner.RunCliAsync("reload", "--state-dir", cluster["b"].StateDir);
        Assert.True(reload.ExitCode == 0, reload.Stdout + reload.Stderr);
        Assert.Contains("runs the cluster's fleet", reload.Stdout, StringComparison.Ordinal);
        await cluster.WaitForRoundsAsync(3);
        Assert.Equal(1, (await cluster.NodesAsync("a")).GetProperty("fleet").GetProperty("generation").GetInt64());

        // reload --publish on b makes b's file the cluster's: every node runs it, the extra bot runs once.
        reload = await DaemonRunner.RunCliAsync("reload", "--publish", "--state-dir", cluster["b"].StateDir);
        Assert.True(reload.ExitCode == 0, reload.Stdout + reload.Stderr);
        Assert.Contains("generation 2", reload.Stdout, StringComparison.Ordinal);
        await cluster.Sampler.WaitUntilAsync(c => shared.Append("only-b").All(b => c.TryGetValue(b, out var w) && w.Count == 1), "b's fleet running, each bot once");
        await cluster["a"].WaitForAsync(721, e => e.Message.Contains("generation 2", StringComparison.Ordinal)); // a runs the cluster's fleet
        nodes = await cluster.NodesAsync("a");
        Assert.Equal(2, nodes.GetProperty("fleet").GetProperty("generation").GetInt64());
        Assert.Equal("differs", Node(nodes, "a").GetProperty("file").GetString());

        // No flip-flop: for several rounds of every node, no lease changes holder.
        var before = await cluster.LeasesAsync(shared.Append("only-b"));
        await cluster.WaitForRoundsAsync(6);
        Assert.Equal(before, await cluster.LeasesAsync(shared.Append("only-b")));

        // A plain reload of a, whose unchanged file now differs, does not take the fleet back either.
        reload = await DaemonRunner.RunCliAsync("reload", "--state-dir", cluster["a"].StateDir);
        Assert.True(reload.ExitCode == 0, reload.Stdout + reload.Stderr);

        // a restarted with its unchanged file does not take the fleet back: it runs generation 2.
        await cluster["a"].DisposeAsync(); // a clean stop: its bots are handed over
        await cluster.StartNodeAsync("a");
        await cluster.WaitForRoundsAsync(4);
        nodes = await cluster.NodesAsync("b");
        Assert.Equal(2, nodes.GetProperty("fleet").GetProperty("generation").GetInt64());
        Assert.Equal("2", Node(nodes, "a").GetProperty("fleet").GetString());
        await cluster.Sampler.WaitUntilAsync(c => shared.Append("only-b").All(b => c.TryGetValue(b, out var w) && w.Count == 1), "every bot of generation 2 running once");
        Assert.True(cluster.Overlaps().Count == 0, ClusterHarness.Describe(cluster.Overlaps()));
    }

    private static async Task<string?> StateOnAsync(ClusterHarness cluster, string node, string bot)
    {
        var json = JsonDocument.Parse((await DaemonRunner.RunCliAsync("status", "--json", "--state-dir", cluster[node].StateDir)).Stdout).RootElement;
        return json.GetProperty("bots").EnumerateArray().Single(b => b.GetProperty("id").GetString() == bot).GetProperty("state").GetString();
    }

    [Fact]
    public async Task AStop_IsTheClusters_TheBotStaysStoppedWhereverItMoves_UntilStarted()
    {
        await using var cluster = await ClusterHarness.CreateAsync(4);
        await Task.WhenAll(cluster.StartNodeAsync("a"), cluster.StartNodeAsync("b"));
        await cluster.AllRunningOnceAsync("the bots");
        await cluster.WaitForRoundsAsync(2); // a has seen who holds what
        string bot = (await cluster.HoldersAsync())["b"][0];

        // Stopped through node a (forwarded to b, which runs it): its lease is released, nobody claims it.
        var stop = await DaemonRunner.RunCliAsync("stop", bot, "--state-dir", cluster["a"].StateDir);
        Assert.True(stop.ExitCode == 0, stop.Stdout + stop.Stderr);
        await cluster.Sampler.WaitUntilAsync(c => !c.ContainsKey(bot), "the bot stopped");

        // b drains: its other bots move to a, the stopped one does not start there.
        var drain = await DaemonRunner.RunCliAsync("nodes", "drain", "b", "--state-dir", cluster["a"].StateDir);
        Assert.True(drain.ExitCode == 0, drain.Stdout + drain.Stderr);
        var others = cluster.Bots.Where(b => b != bot).ToList();
        await cluster.Sampler.WaitUntilAsync(c => others.All(b => c.TryGetValue(b, out var w) && w.Count == 1), "the other bots running");
        await cluster.WaitForRoundsAsync(6);
        Assert.False(cluster.Sampler.Current.ContainsKey(bot), "a stopped bot must not start on the node it moved to");
        Assert.Null((await cluster.LeasesAsync([bot])).GetValueOrDefault(bot).Holder);
        Assert.Equal("stopped", await StateOnAsync(cluster, "a", bot));
        Assert.Equal("stopped", await StateOnAsync(cluster, "b", bot));

        // Started on a: it runs once, on a (b is draining).
        var start = await DaemonRunner.RunCliAsync("start", bot, "--state-dir", cluster["a"].StateDir);
        Assert.True(start.ExitCode == 0, start.Stdout + start.Stderr);
        await cluster.Sampler.WaitUntilAsync(c => c.TryGetValue(bot, out var w) && w.Count == 1, "the bot running again");
        Assert.Equal("a", (await cluster.LeasesAsync([bot]))[bot].Holder);
        Assert.True(cluster.Overlaps().Count == 0, ClusterHarness.Describe(cluster.Overlaps()));
    }

    [Fact]
    public async Task AGenerationThatDoesNotApplyOnANode_LeavesItBehind_ItHandsItsBotsToTheNodesThatRunIt()
    {
        // b's own file has an admin bot; the cluster's next fleet gives a bot the admin bot's token, which b refuses.
        const string admin = "222222:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
        await using var cluster = await ClusterHarness.CreateAsync(4);
        await cluster.StartNodeAsync("a");
        await cluster.AllRunningOnceAsync("a's fleet running");
        await cluster.StartNodeAsync("b", ownSettings: $"admin:\n  token: '{admin}'\n  users: [1]\n  api_base_url: http://127.0.0.1:9\n");
        await cluster.WaitForRoundsAsync(3);

        cluster.AddToSharedFile("clash", $"    token: '{admin}'\n    telegram: {{ validate: false, clear_webhook: false }}\n");
        var reload = await DaemonRunner.RunCliAsync("reload", "--state-dir", cluster["a"].StateDir);
        Assert.True(reload.ExitCode == 0, reload.Stdout + reload.Stderr);
        await cluster["b"].WaitForAsync(722, e => e.Message.Contains("generation 2", StringComparison.Ordinal));
        Assert.DoesNotContain(admin, string.Join("\n", cluster["b"].Entries.Select(e => e.Message)), StringComparison.Ordinal);

        // b stays on generation 1 and claims nothing: the new bot runs once, on a.
        await cluster.Sampler.WaitUntilAsync(c => c.TryGetValue("clash", out var w) && w.Count == 1, "the new bot running");
        await cluster.WaitForRoundsAsync(4);
        Assert.Equal("a", (await cluster.LeasesAsync(["clash"]))["clash"].Holder);
        // b, behind, hands what it held to a, which runs the newest generation.
        await cluster.WaitForHoldersAsync(h => !h.ContainsKey("b"), "b holding nothing");
        var nodes = await cluster.NodesAsync("a");
        Assert.Equal("1", Node(nodes, "b").GetProperty("fleet").GetString());
        Assert.Equal("2", Node(nodes, "a").GetProperty("fleet").GetString());
        await cluster.AllRunningOnceAsync("the first bots still running, each once");
        Assert.True(cluster.Overlaps().Count == 0, ClusterHarness.Describe(cluster.Overlaps()));
    }

    [Fact]
    public async Task ABotStartedByHand_IsStartedWhereItMoves_ARemovedBotForgetsItsStop()
    {
        await using var cluster = await ClusterHarness.CreateAsync(2);
        cluster.AddToSharedFile("manual", "    autostart: false\n");
        await Task.WhenAll(cluster.StartNodeAsync("a"), cluster.StartNodeAsync("b"));
        await cluster.AllRunningOnceAsync("the autostarted bots");

        // A bot with autostart: false, started by hand, runs; its node drains: it runs on the other one.
        await cluster.WaitForHoldersAsync(h => h.Values.Any(b => b.Contains("manual")), "manual placed");
        var start = await DaemonRunner.RunCliAsync("start", "manual", "--state-dir", cluster["a"].StateDir);
        Assert.True(start.ExitCode == 0, start.Stdout + start.Stderr);
        await cluster.Sampler.WaitUntilAsync(c => c.TryGetValue("manual", out var w) && w.Count == 1, "manual running");
        string from = (await cluster.LeasesAsync(["manual"]))["manual"].Holder!;
        string to = from == "a" ? "b" : "a";
        var drain = await DaemonRunner.RunCliAsync("nodes", "drain", from, "--state-dir", cluster["a"].StateDir);
        Assert.True(drain.ExitCode == 0, drain.Stdout + drain.Stderr);
        await cluster.WaitForHoldersAsync(h => h.GetValueOrDefault(to)?.Contains("manual") == true, "manual moved");
        await cluster.Sampler.WaitUntilAsync(c => c.TryGetValue("manual", out var w) && w.Count == 1, "manual running where it moved");

        // A bot added through the API, stopped, removed and added again starts as new.
        using var http = cluster[to].UnixHttp();
        string body = $$$"""{"id": "api1", "command": ["sleep", "3600"], "env": {"CLUSTER_RUN": "{{{cluster.RunMark}}}"} }""";
        (await http.PostAsync("bots", new StringContent(body, System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        await cluster.Sampler.WaitUntilAsync(c => c.TryGetValue("api1", out var w) && w.Count == 1, "api1 running");
        var stop = await DaemonRunner.RunCliAsync("stop", "api1", "--state-dir", cluster[to].StateDir);
        Assert.True(stop.ExitCode == 0, stop.Stdout + stop.Stderr);
        await cluster.Sampler.WaitUntilAsync(c => !c.ContainsKey("api1"), "api1 stopped");
        (await http.DeleteAsync("bots/api1")).EnsureSuccessStatusCode();
        (await http.PostAsync("bots", new StringContent(body, System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        await cluster.Sampler.WaitUntilAsync(c => c.TryGetValue("api1", out var w) && w.Count == 1, "api1 running again once re-added");
        Assert.True(cluster.Overlaps().Count == 0, ClusterHarness.Describe(cluster.Overlaps()));
    }
}
