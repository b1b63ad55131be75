using Botvisor.Core.Storage;
using Botvisor.Core.Tests.Storage;
using Botvisor.IntegrationTests.Cluster;
using Botvisor.Storage.Postgres;
using Npgsql;

namespace Botvisor.IntegrationTests.Storage;

/// <summary>The store contract for PostgreSQL, on a real server (a database per test class instance, a schema per store).</summary>
public sealed class PostgresFleetStoreContractTests : DurableFleetStoreContract
{
    private static readonly Lazy<Task<string>> Database = new(() => TestPostgres.CreateDatabaseAsync("contract"));
    private readonly string _schema = "s" + Guid.NewGuid().ToString("N")[..12];
    private int _stores;

    private static string ConnectionString => Database.Value.GetAwaiter().GetResult();

    private string For(string schema)
    {
        using (var conn = new NpgsqlConnection(ConnectionString))
        {
            conn.Open();
            using var cmd = new NpgsqlCommand($"CREATE SCHEMA IF NOT EXISTS {schema}", conn);
            cmd.ExecuteNonQuery();
        }
        return new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ConnectionString;
    }

    /// <summary>Each call a schema of its own (the contract opens a second, fresh store beside the one under test).</summary>
    protected override IFleetStore CreateStore() => new PostgresFleetStore(For(_stores++ == 0 ? _schema : $"{_schema}_{_stores}"), "node-a");

    protected override IFleetStore Reopen() => new PostgresFleetStore(For(_schema), "node-a");

    [Fact]
    public async Task WorkerRecords_AreEachNodesOwn()
    {
        await using var other = new PostgresFleetStore(For(_schema), "node-b");
        await Store.SaveWorkersAsync([new WorkerRecord("a", 100, 100, 1, T0)]);
        await other.SaveWorkersAsync([new WorkerRecord("a", 200, 200, 2, T0)]);
        Assert.Equal([100], (await Store.LoadWorkersAsync()).Select(w => w.Pid));
        Assert.Equal([200], (await other.LoadWorkersAsync()).Select(w => w.Pid));
    }

    [Fact]
    public async Task WorkerRecords_KeepTheLeaseEpoch()
    {
        var worker = new WorkerRecord("a", 100, 100, 1, T0) { Epoch = 42 };
        await Store.SaveWorkersAsync([worker, new WorkerRecord("b", 101, 101, 1, T0)]);
        Assert.Equal([42L, null], (await Store.LoadWorkersAsync()).Select(w => w.Epoch));
    }

    [Fact]
    public async Task ASchemaTwoDatabase_GetsTheEventsEpoch_AndKeepsItsEvents()
    {
        // A database as schema version 2 left it: events without the epoch column (added by version 3).
        var old = await Store.AppendEventsAsync([Event("before the upgrade", "a")]);
        await using (var conn = new NpgsqlConnection(For(_schema)))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("ALTER TABLE events DROP COLUMN epoch; UPDATE botvisor_schema SET version = 2", conn);
            await cmd.ExecuteNonQueryAsync();
        }

        await using var upgraded = new PostgresFleetStore(For(_schema), "node-b");
        await upgraded.InitializeAsync();
        var added = await upgraded.AppendEventsAsync([Event("after", "a") with { Epoch = 3 }]);
        var events = await upgraded.ReadEventsAsync(0, 10);
        Assert.Equal([.. old, .. added], events);
        Assert.Equal(new long?[] { null, 3 }, events.Select(e => e.Epoch));
    }

    [Fact]
    public async Task NewerSchema_IsRefused_NamingBothVersions()
    {
        await using (var conn = new NpgsqlConnection(For(_schema)))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("UPDATE botvisor_schema SET version = 99", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        await using var store = new PostgresFleetStore(For(_schema), "node-a");
        var ex = await Assert.ThrowsAsync<StoreSchemaTooNewException>(() => store.InitializeAsync());
        Assert.Contains($"database schema version 99 is newer than this botvisor understands ({PostgresFleetStore.SchemaVersion})", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreachableServer_IsStoreUnavailable()
    {
        var b = new NpgsqlConnectionStringBuilder(ConnectionString) { Host = "127.0.0.1", Port = FreePort(), Timeout = 2 };
        await using var store = new PostgresFleetStore(b.ConnectionString, "node-a");
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.AppendEventsAsync([Event("x")]));
    }

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}
