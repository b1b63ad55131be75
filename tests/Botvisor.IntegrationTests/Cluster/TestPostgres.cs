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

    /// <summary>Stops the server (fast shutdown: sessions are ended), keeps it down for <paramref name="down"/>, starts it again.</summary>
    public static async Task RestartAsync(TimeSpan down)
    {
        string dir = Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } d
            ? d
            : throw new InvalidOperationException($"{DirectoryVariable} is not set: restarting PostgreSQL needs the cluster's directory; start the server with eval \"$(tests/postgres start)\"");
        string bin = Directory.GetDirectories("/usr/lib/postgresql").Order().Last() + "/bin/pg_ctl";
        await PgCtlAsync(bin, "-D", dir + "/data", "-m", "fast", "-w", "stop");
        await Task.Delay(down);
        await PgCtlAsync(bin, "-D", dir + "/data", "-l", dir + "/postgres.log", "-w", "start");
        NpgsqlConnection.ClearAllPools(); // the tests' own pooled connections died with the server
    }

    private static async Task PgCtlAsync(string pgCtl, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(Environment.UserName == "root" ? "runuser" : pgCtl) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Environment.UserName == "root")
        {
            foreach (var a in (string[])["-u", "postgres", "--", pgCtl]) psi.ArgumentList.Add(a);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        string err = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"pg_ctl {string.Join(' ', args)} failed ({p.ExitCode}): {err}");
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

/// <summary>The tests that share the PostgreSQL server and restart it, or whose timing is the point: one at a time, alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresCollection
{
    public const string Name = "PostgreSQL cluster";
}
