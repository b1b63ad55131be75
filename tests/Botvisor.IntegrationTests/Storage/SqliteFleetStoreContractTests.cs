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
}
