using Botvisor.Core.State;
using Botvisor.Core.Storage;
using Botvisor.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Botvisor.IntegrationTests.Storage;

/// <summary>A botvisor.db that is damaged, belongs to another program, or comes from a newer Botvisor.</summary>
public class SqliteStoreRecoveryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("botvisor-sqlite-recovery-").FullName;

    private string DbPath => Path.Combine(_dir, "botvisor.db");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task RandomBytes_AreMovedAside_AndAFreshDatabaseWorks()
    {
        var garbage = new byte[64 * 1024];
        new Random(13).NextBytes(garbage);
        await File.WriteAllBytesAsync(DbPath, garbage);

        await using var store = new SqliteFleetStore(DbPath);
        await store.InitializeAsync();

        var recovery = Assert.IsType<StoreRecovery>(store.Recovery);
        Assert.StartsWith(DbPath + ".damaged-", recovery.MovedTo, StringComparison.Ordinal);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(recovery.MovedTo));
        Assert.False(recovery.Foreign);
        await AssertUsableAsync(store);
    }

    [Fact]
    public async Task SqliteFileOfAnotherProgram_IsMovedAsideAsForeign_WithItsWal()
    {
        await using (var other = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            await other.OpenAsync();
            Exec(other, "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ann'); PRAGMA user_version = 7;");
            File.Copy(DbPath + "-wal", Path.Combine(_dir, "wal-copy")); // the other program still has it open: its WAL is alive
        }
        File.Copy(Path.Combine(_dir, "wal-copy"), DbPath + "-wal", overwrite: true);

        await using var store = new SqliteFleetStore(DbPath);
        await store.InitializeAsync();

        var recovery = Assert.IsType<StoreRecovery>(store.Recovery);
        Assert.True(recovery.Foreign, recovery.Reason);
        Assert.Contains("users", recovery.Reason, StringComparison.Ordinal);
        Assert.True(File.Exists(recovery.MovedTo));
        Assert.True(File.Exists(recovery.MovedTo + "-wal"), "the WAL was not moved with the database");
        await AssertUsableAsync(store);
    }

    [Fact]
    public async Task OurDatabase_WithADamagedPage_IsMovedAside()
    {
        await using (var first = new SqliteFleetStore(DbPath))
        {
            await first.InitializeAsync();
            var many = Enumerable.Range(0, 2000).Select(i => new BotEvent { Time = DateTimeOffset.UnixEpoch, Kind = "state", BotId = "a", Message = new string('x', 200) + i }).ToList();
            await first.AppendEventsAsync(many);
        }
        using (var conn = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            conn.Open();
            Exec(conn, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;");
        }
        // Overwrite pages in the middle of the events table with garbage; the header stays valid.
        await using (var file = new FileStream(DbPath, FileMode.Open, FileAccess.Write))
        {
            file.Position = 4096 * 20;
            var junk = new byte[4096 * 4];
            new Random(7).NextBytes(junk);
            file.Write(junk);
        }

        await using var store = new SqliteFleetStore(DbPath);
        await store.InitializeAsync();

        var recovery = Assert.IsType<StoreRecovery>(store.Recovery);
        Assert.False(recovery.Foreign);
        await AssertUsableAsync(store);
    }

    [Fact]
    public async Task NewerSchema_IsRefused_NamingBothVersions_AndTheFileIsUntouched()
    {
        await using (var first = new SqliteFleetStore(DbPath))
        {
            await first.InitializeAsync();
        }
        using (var conn = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            conn.Open();
            Exec(conn, "PRAGMA user_version = 99; PRAGMA wal_checkpoint(TRUNCATE);");
        }
        var before = await File.ReadAllBytesAsync(DbPath);

        await using var store = new SqliteFleetStore(DbPath);
        var ex = await Assert.ThrowsAsync<StoreSchemaTooNewException>(() => store.InitializeAsync());

        Assert.Contains($"database schema version 99 is newer than this botvisor understands ({SqliteFleetStore.SchemaVersion})", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(DbPath));
        Assert.DoesNotContain(Directory.GetFiles(_dir), f => f.Contains(".damaged-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EmptyFile_IsAFreshDatabase_NotDamage()
    {
        await File.WriteAllBytesAsync(DbPath, []);
        await using var store = new SqliteFleetStore(DbPath);
        await store.InitializeAsync();
        Assert.Null(store.Recovery);
        await AssertUsableAsync(store);
    }

    [Fact]
    public async Task HealthyDatabase_IsKept()
    {
        await using (var first = new SqliteFleetStore(DbPath))
        {
            await first.InitializeAsync();
            await first.SaveBotAsync(new StoredBot("kept", "{}", DateTimeOffset.UnixEpoch, "test"));
        }
        await using var store = new SqliteFleetStore(DbPath);
        await store.InitializeAsync();
        Assert.Null(store.Recovery);
        Assert.Equal(["kept"], (await store.LoadBotsAsync()).Select(b => b.Id));
    }

    private static async Task AssertUsableAsync(SqliteFleetStore store)
    {
        var stored = await store.AppendEventsAsync([new BotEvent { Time = DateTimeOffset.UnixEpoch, Kind = "daemon", Message = "fresh" }]);
        Assert.Equal(1, stored[0].Id);
        await store.SaveBotAsync(new StoredBot("b", "{}", DateTimeOffset.UnixEpoch, "test"));
        Assert.Single(await store.LoadBotsAsync());
        Assert.Empty(await store.LoadWorkersAsync());
    }

    private static void Exec(SqliteConnection conn, string sql)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
