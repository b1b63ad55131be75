using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Botvisor.IntegrationTests.Runners;
using Microsoft.Data.Sqlite;

namespace Botvisor.IntegrationTests.Daemon;

/// <summary>The real daemon on a damaged state directory and on a full disk.</summary>
[Collection(DaemonCollection.Name)]
public class StateResilienceTests
{
    private const int DaemonStarted = 101;
    private const int DaemonStopped = 103;
    private const int CgroupSupport = 217;
    private const int OutputFailed = 219;
    private const int StoreWriteFailed = 300;
    private const int StoreDamaged = 301;
    private const int StoreWritesFailing = 303;
    private const int StoreWritesRecovered = 304;

    private const string OneBot = """
        defaults:
          stop_timeout: 5s
        bots:
          alpha:
            command: ["sh", "-c", "sleep 1000 & wait"]
        """;

    [Fact]
    public async Task CorruptDatabase_IsMovedAside_AndTheFleetFileBotsStart()
    {
        using var fleet = new TempFleet().Write(OneBot);
        Directory.CreateDirectory(fleet.StateDir);
        var garbage = new byte[32 * 1024];
        new Random(1).NextBytes(garbage);
        var db = Path.Combine(fleet.StateDir, "botvisor.db");
        File.WriteAllBytes(db, garbage);

        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await daemon.WaitForRunningAsync("alpha");
        await daemon.WaitForAsync(DaemonStarted);

        var damaged = await daemon.WaitForAsync(StoreDamaged);
        var moved = Directory.GetFiles(fleet.StateDir, "botvisor.db.damaged-*").Single();
        Assert.Equal(garbage, File.ReadAllBytes(moved));
        Assert.Contains(moved, damaged.Message, StringComparison.Ordinal);
        Assert.Contains("bots added through the API", damaged.Message, StringComparison.Ordinal);
        Assert.Contains("event history", damaged.Message, StringComparison.Ordinal);
        Assert.Contains("worker", damaged.Message, StringComparison.Ordinal);

        daemon.Signal("TERM");
        AssertExitedZero(await daemon.WaitForExitAsync(), daemon);
    }

    [Fact]
    public async Task ForeignSqliteDatabase_IsMovedAside_AndTheFleetFileBotsStart()
    {
        using var fleet = new TempFleet().Write(OneBot);
        Directory.CreateDirectory(fleet.StateDir);
        var db = Path.Combine(fleet.StateDir, "botvisor.db");
        using (var other = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            other.Open();
            using var cmd = other.CreateCommand();
            cmd.CommandText = "CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT); PRAGMA user_version = 4;";
            cmd.ExecuteNonQuery();
        }

        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await daemon.WaitForRunningAsync("alpha");
        var damaged = await daemon.WaitForAsync(StoreDamaged);
        Assert.Contains("photos", damaged.Message, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(fleet.StateDir, "botvisor.db.damaged-*"));
    }

    [Fact]
    public async Task NewerSchema_DaemonRefusesToStart_NamingBothVersions_WithoutAStackTrace_AndLeavesTheFile()
    {
        using var fleet = new TempFleet().Write(OneBot);
        Directory.CreateDirectory(fleet.StateDir);
        var db = Path.Combine(fleet.StateDir, "botvisor.db");
        await using (var store = new Botvisor.Storage.Sqlite.SqliteFleetStore(db))
        {
            await store.InitializeAsync();
        }
        using (var conn = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            conn.Open();
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "PRAGMA user_version = 99; PRAGMA wal_checkpoint(TRUNCATE);";
            cmd.ExecuteNonQuery();
        }
        var before = File.ReadAllBytes(db);

        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        int code = await daemon.WaitForExitAsync();
        var stdout = string.Join('\n', daemon.Entries.Select(e => e.Message));
        var stderr = string.Join('\n', daemon.Stderr);

        Assert.NotEqual(0, code);
        Assert.Contains("database schema version 99 is newer than this botvisor understands (", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stdout + stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(db));
        Assert.Empty(Directory.GetFiles(fleet.StateDir, "botvisor.db.damaged-*"));
    }

    /// <summary>
    /// A real full disk: the state directory is a 16 MiB tmpfs filled to the last block. Needs permission
    /// to mount (root, as in CI); elsewhere it is reported as skipped, and the same behaviour of the store
    /// writer is covered by StoreWriterOutageTests with a failing store.
    /// </summary>
    [Fact]
    public async Task FullDisk_OnATmpfs_PostBotsAnswers503_AndSigtermStillExitsZero()
    {
        using var fleet = new TempFleet().Write("""
            defaults:
              stop_timeout: 5s
            bots:
              alpha:
                command: ["sh", "-c", "sleep 1000 & wait"]
              crashy:
                command: ["sh", "-c", "head -c 20000 /dev/zero | tr '\\000' x; echo; sleep 0.2; exit 3"]
                restart: always
                backoff: { initial: 100ms, max: 200ms, jitter: 0 }
                max_restarts: 1000000
            """);
        Directory.CreateDirectory(fleet.StateDir);
        if (!Mount(fleet.StateDir, "16m")) Assert.Skip("mounting a tmpfs needs root (CAP_SYS_ADMIN); StoreWriterOutageTests covers the writer with a failing store");
        try
        {
            await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
            int alpha = await daemon.WaitForRunningAsync("alpha");
            await daemon.WaitForAsync(DaemonStarted);
            using var http = await daemon.HttpAsync();

            int mark = daemon.Mark;
            Fill(Path.Combine(fleet.StateDir, "filler"));
            await daemon.WaitForAsync(StoreWritesFailing, after: mark);
            await daemon.WaitForAsync(OutputFailed, e => e.Message.StartsWith("Bot crashy:", StringComparison.Ordinal), after: mark); // its log file is full too

            var response = await http.PostAsync("/bots", new StringContent("""{"id":"extra","command":["sleep","100"]}""", Encoding.UTF8, "application/json"));
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("disk is full", body, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/bots/extra")).StatusCode);

            var cgroups = System.Text.RegularExpressions.Regex.Match(daemon.Entries.First(e => e.EventId == CgroupSupport).Message, @" at (/sys/fs/cgroup\S*/botvisor-[0-9a-f]{16})");
            daemon.Signal("TERM");
            AssertExitedZero(await daemon.WaitForExitAsync(), daemon);
            Assert.Contains(daemon.Entries, e => e.EventId == DaemonStopped);
            if (cgroups.Success) Assert.False(Directory.Exists(cgroups.Groups[1].Value), "the cgroup tree was left behind");
            Assert.False(Processes.IsAlive(alpha));
            Assert.DoesNotContain(daemon.Stderr, l => l.Contains("Unhandled exception", StringComparison.Ordinal));
            // Reported when failing starts (and when it recovers), not once per failed batch.
            Assert.DoesNotContain(daemon.Entries, e => e.EventId == StoreWriteFailed);
            Assert.True(daemon.Entries.Count(e => e.EventId == StoreWritesFailing) <= daemon.Entries.Count(e => e.EventId == StoreWritesRecovered) + 1);
        }
        finally
        {
            Unmount(fleet.StateDir);
        }
    }

    private static void AssertExitedZero(int code, DaemonRunner daemon) =>
        Assert.True(code == 0, $"exit code {code}; stderr: {string.Join('\n', daemon.Stderr)}; log: {string.Join('\n', daemon.Entries.TakeLast(30).Select(e => $"[{e.EventId}] {e.Message}"))}");

    /// <summary>Writes zeros until the file system says ENOSPC.</summary>
    private static void Fill(string path)
    {
        var block = new byte[64 * 1024];
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        try
        {
            while (true) file.Write(block);
        }
        catch (IOException)
        {
        }
        try
        {
            while (true) file.Write(block, 0, 512);
        }
        catch (IOException)
        {
        }
    }

    private static bool Mount(string dir, string size)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root") return false;
        using var mount = Process.Start("mount", ["-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir])!;
        mount.WaitForExit();
        return mount.ExitCode == 0;
    }

    private static void Unmount(string dir)
    {
        using var umount = Process.Start("umount", ["-l", dir])!;
        umount.WaitForExit();
        _ = umount.ExitCode.ToString(CultureInfo.InvariantCulture);
    }
}
