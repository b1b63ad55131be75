using Botvisor.Core.Storage;
using Botvisor.Core.Tests.Storage;
using Botvisor.Storage.Sqlite;

namespace Botvisor.IntegrationTests.Storage;

/// <summary>The store contract for SQLite, on a real file in a temporary directory.</summary>
public sealed class SqliteFleetStoreContractTests : DurableFleetStoreContract
{
    private readonly string _dir = Directory.CreateTempSubdirectory("botvisor-sqlite-").FullName;
    private int _stores;

    private string DatabasePath => Path.Combine(_dir, "botvisor.db");

    /// <summary>Each call a file of its own (the contract opens a second, fresh store beside the one under test).</summary>
    protected override IFleetStore CreateStore() => new SqliteFleetStore(_stores++ == 0 ? DatabasePath : Path.Combine(_dir, $"other-{_stores}.db"));

    protected override IFleetStore Reopen() => new SqliteFleetStore(DatabasePath);

    protected override void Cleanup() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ASchemaThreeDatabase_GetsTheEventsEpoch_AndKeepsItsEvents()
    {
        // A database as schema version 3 left it: events without the epoch column.
        var old = await Store.AppendEventsAsync([Event("before the upgrade", "a")]);
        await Store.DisposeAsync();
        using (var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            conn.Open();
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "ALTER TABLE events DROP COLUMN epoch; PRAGMA user_version = 3;";
            cmd.ExecuteNonQuery();
        }

        Store = Reopen();
        await Store.InitializeAsync();
        var added = await Store.AppendEventsAsync([Event("after", "a") with { Epoch = 3 }]);
        Assert.Equal([.. old, .. added], await Store.ReadEventsAsync(0, 10));
        Assert.Null((await Store.ReadEventsAsync(0, 10))[0].Epoch);
        Assert.Equal(3, (await Store.ReadEventsAsync(0, 10))[1].Epoch);
    }
}
