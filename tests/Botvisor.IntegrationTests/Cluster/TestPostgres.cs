using Npgsql;

namespace Botvisor.IntegrationTests.Cluster;

/// <summary>
/// The PostgreSQL server the tests use: <c>BOTVISOR_TEST_POSTGRES</c> (an Npgsql connection string of a
/// superuser; <c>tests/run</c> starts a throwaway cluster and sets it). Without it the tests fail, saying how
/// to start one: a PostgreSQL test never passes by skipping. Each test gets a database of its own.
/// </summary>
public static class TestPostgres
{
    public const string Variable = "BOTVISOR_TEST_POSTGRES";

    /// <summary>The cluster's directory (set by <c>tests/postgres start</c>): lets a test restart the server.</summary>
    public const string DirectoryVariable = "BOTVISOR_TEST_POSTGRES_DIR";

    private static int _databases;

    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                $"{Variable} is not set: the PostgreSQL tests need a server. tests/run starts a throwaway one; by hand: " +
                "eval \"$(tests/postgres start)\" (Debian: apt-get install postgresql), then run the tests in that shell; " +
                "tests/postgres stop \"$BOTVISOR_TEST_POSTGRES_DIR\" ends it.");

    /// <summary>A new, empty database; its connection string reaches it over TCP (so a proxy can stand between).</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        string name = $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}_{Random.Shared.Next(1_000_000)}";
        await using (var conn = new NpgsqlConnection(AdminConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        var b = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true };
        return b.ConnectionString;
    }

    /// <summary>The TCP port the server listens on (127.0.0.1).</summary>
    public static int Port => new NpgsqlConnectionStringBuilder(AdminConnectionString).Port;

    /// <summary>A connection string for <paramref name="database"/> over TCP at <paramref name="port"/> (the server's, or a proxy's).</summary>
    public static string Tcp(string database, int port)
    {
        var b = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Host = "127.0.0.1", Port = port, Database = database };
        return b.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        string name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await using var conn = new NpgsqlConnection(AdminConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
