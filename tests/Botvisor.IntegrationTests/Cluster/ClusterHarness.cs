using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;
using Npgsql;

namespace Botvisor.IntegrationTests.Cluster;

/// <summary>
/// Real daemons on one real PostgreSQL database (a new one per harness): one fleet file for all, each node
/// with its own state directory, name (<c>BOTVISOR_NODE</c>) and, when asked, its own <see cref="TcpProxy"/>
/// to the database. A <see cref="WorkerSampler"/> watches every worker of the run from the start.
/// </summary>
public sealed class ClusterHarness : IAsyncDisposable
{
    private readonly TempFleet _fleet = new();
    private readonly Dictionary<string, DaemonRunner> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TcpProxy> _proxies = new(StringComparer.Ordinal);
    private readonly string _run = Guid.NewGuid().ToString("N")[..12];

    private ClusterHarness(string connectionString, IReadOnlyList<string> bots, string timing, bool autostart)
    {
        ConnectionString = connectionString;
        Bots = bots;
        var yaml = new StringBuilder();
        yaml.Append("cluster: ").Append(timing).Append('\n');
        yaml.Append("bots:\n");
        foreach (var bot in bots)
        {
            yaml.Append($"  {bot}:\n    command: [sleep, '3600']\n    stop_timeout: 5s\n    env: {{ CLUSTER_RUN: '{_run}' }}\n");
            if (!autostart) yaml.Append("    autostart: false\n");
        }
        _fleet.Write(yaml.ToString());
        Sampler = new WorkerSampler(_run);
    }

    public string ConnectionString { get; }

    /// <summary>The mark every bot of the run carries (<c>CLUSTER_RUN</c>), for bots a test adds.</summary>
    public string RunMark => _run;
    public IReadOnlyList<string> Bots { get; }
    public WorkerSampler Sampler { get; }
    public string Database => new NpgsqlConnectionStringBuilder(ConnectionString).Database!;

    /// <param name="autostart">False: the bots are placed and leased but no worker starts (a thousand bots cost no processes).</param>
    public static async Task<ClusterHarness> CreateAsync(int bots, string timing = "{ lease: 3s, renew_deadline: 2s, retry: 500ms }", bool autostart = true)
    {
        var cs = await TestPostgres.CreateDatabaseAsync("cluster");
        return new ClusterHarness(cs, Enumerable.Range(1, bots).Select(i => $"bot{i:D4}").ToList(), timing, autostart);
    }

    public DaemonRunner this[string node] => _nodes[node];

    public IEnumerable<string> NodeNames => _nodes.Keys;

    /// <summary>Starts node <paramref name="name"/>; with <paramref name="proxied"/>, it reaches PostgreSQL through a proxy of its own.</summary>
    /// <param name="nodeName">The name the daemon gets (BOTVISOR_NODE); default <paramref name="name"/>, the test's key for it.</param>
    /// <param name="extraBots">Bots only this node's fleet file defines (a fleet file of its own).</param>
    /// <param name="ownSettings">Top-level YAML only this node's fleet file has (a fleet file of its own), such as an <c>admin:</c> section.</param>
    public async Task<DaemonRunner> StartNodeAsync(string name, bool proxied = false, string? nodeName = null, IReadOnlyList<string>? extraBots = null, string? ownSettings = null)
    {
        int port = TestPostgres.Port;
        if (proxied)
        {
            var proxy = new TcpProxy(port);
            _proxies[name] = proxy;
            port = proxy.Port;
        }
        var env = new Dictionary<string, string>
        {
            ["BOTVISOR_STORE"] = TestPostgres.Tcp(Database, port),
            ["BOTVISOR_NODE"] = nodeName ?? name,
        };
        string config = _fleet.ConfigPath;
        if (extraBots is { Count: > 0 } || ownSettings is not null)
        {
            config = Path.Combine(_fleet.Directory, $"fleet-{name}.yaml");
            File.WriteAllText(config, ownSettings + File.ReadAllText(_fleet.ConfigPath) + string.Concat((extraBots ?? []).Select(b =>
                $"  {b}:\n    command: [sleep, '3600']\n    env: {{ CLUSTER_RUN: '{_run}' }}\n")));
        }
        var runner = DaemonRunner.Start(config, Path.Combine(_fleet.Directory, "state-" + name), env);
        _nodes[name] = runner;
        await runner.WaitForAsync(700); // joined
        return runner;
    }

    public TcpProxy Proxy(string node) => _proxies[node];

    /// <summary>Adds to the fleet file every node shares (a node reloaded then publishes it) a bot with <paramref name="yaml"/> under it.</summary>
    public void AddToSharedFile(string bot, string yaml = "") =>
        File.AppendAllText(_fleet.ConfigPath, $"  {bot}:\n    command: [sleep, '3600']\n    env: {{ CLUSTER_RUN: '{_run}' }}\n{yaml}");

    /// <summary>Waits until every bot has exactly one live worker.</summary>
    public Task AllRunningOnceAsync(string what) =>
        Sampler.WaitUntilAsync(c => Bots.All(b => c.TryGetValue(b, out var w) && w.Count == 1), what);

    /// <summary>GET /nodes from <paramref name="node"/>, over its local socket.</summary>
    public async Task<JsonElement> NodesAsync(string node)
    {
        using var http = _nodes[node].UnixHttp();
        return await http.GetFromJsonAsync<JsonElement>("nodes");
    }

    /// <summary>The bots each node holds, by the leases table (valid leases only).</summary>
    public async Task<Dictionary<string, List<string>>> HoldersAsync()
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT holder, bot_id FROM leases WHERE holder IS NOT NULL AND expires_at > now() ORDER BY bot_id", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            if (!result.TryGetValue(reader.GetString(0), out var list)) result[reader.GetString(0)] = list = [];
            list.Add(reader.GetString(1));
        }
        return result;
    }

    /// <summary>
    /// Waits until every live node has sent <paramref name="rounds"/> more heartbeats (each a round of its loop:
    /// renewal, placement, claims and handovers), as the database records them: "nothing happened for a while"
    /// measured in the nodes' own rounds, not in wall-clock time.
    /// </summary>
    public async Task WaitForRoundsAsync(int rounds)
    {
        var seen = new Dictionary<string, (DateTimeOffset Last, int Count)>(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + Botvisor.Testing.TestTimeouts.Daemon;
        while (true)
        {
            await using (var conn = new NpgsqlConnection(ConnectionString))
            {
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand("SELECT name, heartbeat_at FROM nodes WHERE left_at IS NULL AND heartbeat_at > now() - interval '5 seconds'", conn);
                await using var reader = await cmd.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    var (name, at) = (reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1));
                    seen[name] = seen.TryGetValue(name, out var s) ? (at, s.Count + (at != s.Last ? 1 : 0)) : (at, 0);
                }
            }
            if (seen.Count > 0 && seen.Values.All(s => s.Count >= rounds)) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the nodes did not beat {rounds} times: {string.Join(", ", seen.Select(s => $"{s.Key} {s.Value.Count}"))}");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until the holders of valid leases (node → bots) satisfy <paramref name="condition"/>.</summary>
    public async Task WaitForHoldersAsync(Func<Dictionary<string, List<string>>, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Botvisor.Testing.TestTimeouts.Daemon;
        Dictionary<string, List<string>> holders;
        while (!condition(holders = await HoldersAsync()))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what}: holders {string.Join("; ", holders.Select(kv => $"{kv.Key}={kv.Value.Count}"))}");
            await Task.Delay(100);
        }
    }

    /// <summary>The database's clock now.</summary>
    public async Task<DateTimeOffset> DatabaseNowAsync()
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT now()", conn);
        return new DateTimeOffset((DateTime)(await cmd.ExecuteScalarAsync())!, TimeSpan.Zero);
    }

    /// <summary>When (by the database's clock) each of <paramref name="bots"/> last changed holder, and to whom.</summary>
    public async Task<Dictionary<string, (string? Holder, long Epoch, DateTimeOffset ChangedAt)>> LeasesAsync(IEnumerable<string> bots)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT bot_id, holder, epoch, changed_at FROM leases WHERE bot_id = ANY($1)", conn);
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = bots.ToArray() });
        await using var reader = await cmd.ExecuteReaderAsync();
        var result = new Dictionary<string, (string?, long, DateTimeOffset)>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            result[reader.GetString(0)] = (reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2), reader.GetFieldValue<DateTimeOffset>(3));
        }
        return result;
    }

    /// <summary>Each node's last heartbeat (and with it the renewal of its leases), by the database's clock.</summary>
    public async Task<Dictionary<string, DateTimeOffset>> HeartbeatsAsync()
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT name, heartbeat_at FROM nodes", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var result = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        while (await reader.ReadAsync()) result[reader.GetString(0)] = reader.GetFieldValue<DateTimeOffset>(1);
        return result;
    }

    /// <summary>
    /// Waits until <paramref name="observer"/> has seen the heartbeat of node <paramref name="observed"/> advance
    /// <paramref name="rounds"/> times in its own view (<c>GET /nodes</c>): proof that both have run that many rounds since.
    /// </summary>
    public async Task WaitForRoundsAsync(string observer, string observed, int rounds)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        string? last = null;
        int seen = -1; // the first value read is where counting starts
        while (seen < rounds)
        {
            var row = (await NodesAsync(observer)).GetProperty("nodes").EnumerateArray().FirstOrDefault(n => n.GetProperty("name").GetString() == observed);
            string? heartbeat = row.ValueKind == JsonValueKind.Object ? row.GetProperty("lastHeartbeat").GetString() : null;
            if (heartbeat is not null && heartbeat != last)
            {
                last = heartbeat;
                seen++;
            }
            if (sw.Elapsed > TestTimeouts.Daemon) throw new TimeoutException($"node {observer} saw node {observed}'s heartbeat advance {Math.Max(seen, 0)} times, not {rounds}");
            await Task.Delay(50);
        }
    }

    /// <summary>The overlaps the sampler saw, outside <paramref name="allowed"/> intervals (a frozen node's freeze).</summary>
    public IReadOnlyList<WorkerSampler.Overlap> Overlaps(params (TimeSpan From, TimeSpan To)[] allowed) =>
        Sampler.Overlaps.Where(o => !allowed.Any(a => o.At >= a.From && o.At <= a.To)).ToList();

    public static string Describe(IEnumerable<WorkerSampler.Overlap> overlaps) =>
        string.Join("; ", overlaps.Take(10).Select(o => $"{o.At.TotalSeconds:0.00}s {o.BotId}: {string.Join(", ", o.Workers.Select(w => $"pid {w.Pid} epoch {w.Epoch}"))}"));

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_nodes.Values.Select(async n => await n.DisposeAsync()));
        foreach (var proxy in _proxies.Values) await proxy.DisposeAsync();
        Sampler.Dispose();
        // Whatever a test left (a killed node's workers must be gone already; this is only hygiene).
        foreach (var (_, workers) in Sampler.Current) foreach (var w in workers) Processes.Kill(w.Pid);
        _fleet.Dispose();
        await TestPostgres.DropDatabaseAsync(ConnectionString);
    }
}
