using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;
using Npgsql;

namespace Botvisor.IntegrationTests.Cluster;

/// <summary>
/// Any node answers for the cluster: a bot another node runs shows with its live state there (asked of that
/// node), a node that does not answer makes its bots <c>unknown</c> (never a wrong state, and the answer still
/// comes), and an answer kept for a moment never outlives a move.
/// </summary>
[Collection(PostgresCollection.Name)]
public class ClusterStatusTests
{
    /// <summary>How long an answer of another node is kept (PeerBots.FreshFor), and the sampler's slack on top.</summary>
    private static readonly TimeSpan Kept = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SamplerSlack = TimeSpan.FromSeconds(1);

    private static async Task<ClusterHarness> SpreadAsync(int bots, string[] nodes, string? timing = null)
    {
        var cluster = timing is null ? await ClusterHarness.CreateAsync(bots) : await ClusterHarness.CreateAsync(bots, timing);
        await Task.WhenAll(nodes.Select(n => cluster.StartNodeAsync(n)));
        await cluster.AllRunningOnceAsync("every bot running once");
        var sw = Stopwatch.StartNew();
        while (!((await cluster.HoldersAsync()) is var h && h.Count == nodes.Length && h.Values.All(v => v.Count == bots / nodes.Length)))
        {
            Assert.True(sw.Elapsed < TestTimeouts.Daemon, "the bots were never spread over every node");
            await Task.Delay(100);
        }
        return cluster;
    }

    private static async Task<JsonElement> GetAsync(ClusterHarness cluster, string node, string path)
    {
        using var http = cluster[node].UnixHttp();
        http.Timeout = TestTimeouts.Event;
        return await http.GetFromJsonAsync<JsonElement>(path);
    }

    private static Dictionary<string, JsonElement> ById(JsonElement bots) =>
        bots.EnumerateArray().ToDictionary(b => b.GetProperty("id").GetString()!, StringComparer.Ordinal);

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? Pid(JsonElement e) => e.TryGetProperty("pid", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;

    /// <summary>Waits until node <paramref name="node"/>'s status shows every bot as the database and the sampler say: running on its holder with its worker's pid.</summary>
    private static async Task<Dictionary<string, JsonElement>> UntilTrueEverywhereAsync(ClusterHarness cluster, string node)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var holders = (await cluster.HoldersAsync()).SelectMany(kv => kv.Value.Select(b => (Bot: b, Node: kv.Key))).ToDictionary(x => x.Bot, x => x.Node);
            var bots = ById((await GetAsync(cluster, node, "status")).GetProperty("bots"));
            var wrong = cluster.Bots.Where(b => !(bots.TryGetValue(b, out var s) && Str(s, "state") == "running" && Str(s, "node") == holders.GetValueOrDefault(b)
                && cluster.Sampler.Current.TryGetValue(b, out var w) && w.Count == 1 && Pid(s) == w[0].Pid)).ToList();
            if (wrong.Count == 0) return bots;
            if (sw.Elapsed > TestTimeouts.Daemon)
            {
                throw new TimeoutException($"node {node} never showed every bot as it runs; wrong: " + string.Join("; ", wrong.Select(b =>
                    $"{b}: {(bots.TryGetValue(b, out var s) ? $"{Str(s, "state")} on {Str(s, "node")} pid {Pid(s)} ({Str(s, "reason")})" : "missing")}, held by {holders.GetValueOrDefault(b)}")));
            }
            await Task.Delay(200);
        }
    }

    private static async Task<string> SecretAsync(ClusterHarness cluster)
    {
        await using var conn = new NpgsqlConnection(cluster.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT secret FROM cluster_secret LIMIT 1", conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task ABotOnAnotherNode_ShowsItsRealStateAndPid_InStatusBotsTheTableAndTheDetail()
    {
        await using var cluster = await SpreadAsync(4, ["a", "b"]);
        var onB = (await cluster.HoldersAsync())["b"];
        string bot = onB[0];

        // From node a: every bot as it runs, b's with b's pid, node and lease epoch.
        var bots = await UntilTrueEverywhereAsync(cluster, "a");
        long epoch = (await cluster.LeasesAsync([bot]))[bot].Epoch;
        Assert.Equal(epoch, bots[bot].GetProperty("leaseEpoch").GetInt64());
        Assert.True(bots[bot].GetProperty("uptimeSeconds").GetDouble() > 0);
        Assert.Equal("a", (await GetAsync(cluster, "a", "status")).GetProperty("daemon").GetProperty("node").GetString());

        // GET /bots and GET /bots/{id} say the same; ?node= keeps one node's bots.
        var one = await GetAsync(cluster, "a", $"bots/{bot}");
        Assert.Equal(("running", "b", cluster.Sampler.Current[bot].Single().Pid), (Str(one, "state"), Str(one, "node"), Pid(one)));
        var listed = ById(await GetAsync(cluster, "a", "bots"));
        Assert.Equal(cluster.Bots.Order(StringComparer.Ordinal), listed.Keys);
        Assert.All(onB, b => Assert.Equal(cluster.Sampler.Current[b].Single().Pid, Pid(listed[b])));
        var onlyB = ById(await GetAsync(cluster, "a", "bots?node=b"));
        Assert.Equal(onB.Order(StringComparer.Ordinal), onlyB.Keys.Order(StringComparer.Ordinal));

        // The CLI's table (rendered by node a) and a bot's detail.
        var table = await DaemonRunner.RunCliAsync("status", "-o", "wide", "--state-dir", cluster["a"].StateDir);
        Assert.True(table.ExitCode == 0, table.Stderr);
        Assert.Contains("NODE", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("on node a", table.Stdout, StringComparison.Ordinal);
        var row = table.Stdout.Split('\n').Single(l => l.StartsWith(bot + " ", StringComparison.Ordinal));
        Assert.Matches($@"^{bot}\s+running\s+b\s+\S+\s+{cluster.Sampler.Current[bot].Single().Pid}\s", row);
        var detail = await DaemonRunner.RunCliAsync("status", bot, "--state-dir", cluster["a"].StateDir);
        Assert.Matches($@"(?m)^node:\s+b \(lease epoch {epoch}\)$", detail.Stdout);
        Assert.Matches($@"(?m)^pid:\s+{cluster.Sampler.Current[bot].Single().Pid}$", detail.Stdout);
        var json = await DaemonRunner.RunCliAsync("status", "--json", "--state-dir", cluster["a"].StateDir);

        // Node b was asked by node a, with the cluster's secret, which shows nowhere.
        string secret = await SecretAsync(cluster);
        foreach (var output in new[] { table.Stdout, detail.Stdout, json.Stdout, one.ToString(), string.Join('\n', cluster["a"].Stderr), string.Join('\n', cluster["b"].Stderr) })
        {
            Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
        }
        Assert.Equal(cluster.Sampler.Current[bot].Single().Pid, Pid(ById(JsonDocument.Parse(json.Stdout).RootElement.GetProperty("bots"))[bot]));
    }

    [Fact]
    public async Task ANodeThatDoesNotAnswer_ItsBotsShowAsUnknown_TheOthersAsTheyRun_AndStatusStillAnswers()
    {
        // A long lease: node b stays the holder of its bots while it is frozen (well within its renew deadline).
        await using var cluster = await SpreadAsync(4, ["a", "b"], "{ lease: 30s, renew_deadline: 20s, retry: 1s }");
        var holders = await cluster.HoldersAsync();
        await UntilTrueEverywhereAsync(cluster, "a");

        cluster["b"].Signal("STOP");
        try
        {
            // Node b accepts connections (the kernel does) but answers nothing: node a waits its 2s for it, no longer.
            // (An answer b gave just before the freeze may be shown for the moment answers are kept.)
            await Task.Delay(Kept + TimeSpan.FromMilliseconds(100));
            for (int i = 0; i < 3; i++)
            {
                var status = await GetAsync(cluster, "a", "status"); // the client gives up after TestTimeouts.Event
                var bots = ById(status.GetProperty("bots"));
                foreach (var b in holders["b"])
                {
                    Assert.Equal(("unknown", "b", (int?)null, "unknown"), (Str(bots[b], "state"), Str(bots[b], "node"), Pid(bots[b]), Str(bots[b], "health")));
                    Assert.StartsWith("node b not answering", Str(bots[b], "reason"), StringComparison.Ordinal);
                    Assert.False(bots[b].TryGetProperty("uptimeSeconds", out _));
                }
                foreach (var b in holders["a"])
                {
                    Assert.Equal(("running", "a", cluster.Sampler.Current[b].Single().Pid), (Str(bots[b], "state"), Str(bots[b], "node"), Pid(bots[b])));
                }
                Assert.Equal(2, status.GetProperty("daemon").GetProperty("states").GetProperty("unknown").GetInt32());
            }
            var one = await GetAsync(cluster, "a", $"bots/{holders["b"][0]}");
            Assert.Equal("unknown", Str(one, "state"));

            var table = await DaemonRunner.RunCliAsync("status", "-o", "wide", "--state-dir", cluster["a"].StateDir);
            Assert.True(table.ExitCode == 0, table.Stderr);
            var row = table.Stdout.Split('\n').Single(l => l.StartsWith(holders["b"][0] + " ", StringComparison.Ordinal));
            Assert.Matches(@"\s+unknown\s+b\s+-\s+-\s.*node b not answering", row);
            await cluster["a"].WaitForAsync(730, e => e.Message.Contains("Node b", StringComparison.Ordinal));
        }
        finally
        {
            cluster["b"].Signal("CONT");
        }

        // Node b answers again: its bots show as they run (their workers never stopped: the freeze was short of the renew deadline).
        await UntilTrueEverywhereAsync(cluster, "a");
        await cluster["a"].WaitForAsync(731);
        Assert.True(cluster.Overlaps().Count == 0, ClusterHarness.Describe(cluster.Overlaps()));
    }

    [Fact]
    public async Task AfterAMove_NoAnswerKeptFromBeforeItShowsTheBot_AndTheNewNodesPidShows()
    {
        await using var cluster = await SpreadAsync(6, ["a", "b", "c"]);
        var before = await cluster.HoldersAsync();
        await UntilTrueEverywhereAsync(cluster, "a");

        // Which pid was last seen alive when, by a watcher of its own (the sampler's view, every 20 ms).
        var lastSeen = new ConcurrentDictionary<int, TimeSpan>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var now = clock.Elapsed;
                foreach (var (_, workers) in cluster.Sampler.Current) foreach (var w in workers) lastSeen[w.Pid] = now;
                await Task.Delay(20);
            }
        });
        // A busy dashboard on node a: /status every 100 ms all through the move (its answers from b and c are kept and reused).
        var seen = new ConcurrentQueue<(TimeSpan Asked, Dictionary<string, JsonElement> Bots)>();
        var dashboard = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var asked = clock.Elapsed;
                seen.Enqueue((asked, ById((await GetAsync(cluster, "a", "status")).GetProperty("bots"))));
                await Task.Delay(100);
            }
        });

        var drain = await DaemonRunner.RunCliAsync("nodes", "drain", "b", "--state-dir", cluster["a"].StateDir);
        Assert.True(drain.ExitCode == 0, drain.Stderr);
        var sw = Stopwatch.StartNew();
        while ((await cluster.HoldersAsync()).ContainsKey("b")) { Assert.True(sw.Elapsed < TestTimeouts.Daemon, "node b never drained"); await Task.Delay(100); }
        await cluster.AllRunningOnceAsync("b's bots running on a and c");
        var after = await UntilTrueEverywhereAsync(cluster, "a");
        await Task.Delay(TimeSpan.FromSeconds(2)); // more of the dashboard, settled
        await stop.CancelAsync();
        await Task.WhenAll(watcher, dashboard);

        var moved = before["b"];
        Assert.Contains(moved, b => Str(after[b], "node") == "c"); // one moved to another node than the asking one: its answer came from c
        var answers = seen.ToList();
        foreach (var (asked, bots) in answers)
        {
            foreach (var (id, bot) in bots)
            {
                // A pid shown as running was alive within the moment an answer is kept: never an old worker from a kept answer.
                if (Str(bot, "state") == "running" && Pid(bot) is { } pid)
                {
                    Assert.True(lastSeen.TryGetValue(pid, out var alive) && alive >= asked - Kept - SamplerSlack,
                        $"{asked.TotalSeconds:0.00}s: node a showed {id} running with pid {pid} on {Str(bot, "node")}, last seen alive at {(alive == default ? "never" : alive.TotalSeconds.ToString("0.00"))}s");
                }
            }
        }
        // Once node a showed a moved bot on its new node, it never showed it on b again.
        foreach (var id in moved)
        {
            int first = answers.FindIndex(x => Str(x.Bots[id], "node") == Str(after[id], "node") && Str(x.Bots[id], "state") == "running");
            Assert.True(first >= 0, $"{id} never showed on its new node");
            var back = answers.Skip(first).FirstOrDefault(x => Str(x.Bots[id], "node") == "b");
            Assert.True(back.Bots is null, $"{id} showed on node b again at {back.Asked.TotalSeconds:0.00}s, after it had moved");
        }
        Assert.True(cluster.Overlaps().Count == 0, ClusterHarness.Describe(cluster.Overlaps()));
    }

    [Fact]
    public async Task FollowingTheEventsOfABotOnAnotherNode_ShowsThemAsTheyHappenThere()
    {
        await using var cluster = await SpreadAsync(4, ["a", "b"]);
        string bot = (await cluster.HoldersAsync())["b"][0];
        await UntilTrueEverywhereAsync(cluster, "a"); // node a knows where it runs

        // Followed on node a (as `botvisor events BOT --follow` does); node a's own feed never sees what happens on b.
        using var http = cluster["a"].UnixHttp();
        http.Timeout = Timeout.InfiniteTimeSpan;
        using var cts = new CancellationTokenSource(TestTimeouts.Event);
        using var response = await http.GetAsync($"events?bot={bot}&tail=0", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("b", response.Headers.GetValues("X-Botvisor-Node").Single()); // forwarded to the bot's node
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));

        // Restarted on node b itself.
        int old = cluster.Sampler.Current[bot].Single().Pid;
        using (var onB = cluster["b"].UnixHttp())
        {
            var restarted = await onB.PostAsync($"bots/{bot}/restart", null);
            Assert.True(restarted.IsSuccessStatusCode, await restarted.Content.ReadAsStringAsync());
        }
        var lines = new List<string>();
        while (!lines.Any(l => l.StartsWith("data:", StringComparison.Ordinal) && l.Contains("\"running\"", StringComparison.Ordinal) && !l.Contains($"pid {old}", StringComparison.Ordinal)))
        {
            lines.Add(await reader.ReadLineAsync(cts.Token) ?? throw new InvalidOperationException("the stream ended: " + string.Join('\n', lines)));
        }
        Assert.Contains(lines, l => l.Contains("restart", StringComparison.OrdinalIgnoreCase));
        Assert.All(lines.Where(l => l.StartsWith("data:", StringComparison.Ordinal)), l => Assert.Contains($"\"bot\":\"{bot}\"", l, StringComparison.Ordinal));
    }
}
