using System.Globalization;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.Daemon;

/// <summary>The real <c>botvisor run</c> process, driven with signals and fleet files.</summary>
[Collection(DaemonCollection.Name)]
public class DaemonTests
{
    private const int WorkerStarted = 200;
    private const int DaemonStarting = 100;
    private const int DaemonStarted = 101;
    private const int ReloadApplied = 105;
    private const int ReloadRejected = 106;
    private const int FleetError = 107;
    private const int LeftoverWorkerEnded = 109;
    private const int DaemonStopped = 103;
    private const int SighupReclaimed = 117;

    private const string TwoBots = """
        defaults:
          stop_timeout: 5s
        bots:
          alpha:
            command: ["sh", "-c", "sleep 1000 & wait"]
          beta:
            command: ["sh", "-c", "sleep 1000 & wait"]
        """;

    [Fact]
    public async Task Sigterm_WithFollowedStreamsOpen_TheDaemonStillExits()
    {
        using var fleet = new TempFleet().Write(TwoBots);
        var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await using var _ = daemon;
        await daemon.WaitForRunningAsync("alpha");
        await daemon.WaitForAsync(DaemonStarted);

        // Clients that follow and never hang up: the event stream, a bot's log, over the socket and over TCP.
        using var unix = daemon.UnixHttp();
        unix.Timeout = Timeout.InfiniteTimeSpan;
        using var tcp = await daemon.HttpAsync();
        tcp.Timeout = Timeout.InfiniteTimeSpan;
        var streams = new List<HttpResponseMessage>
        {
            await unix.GetAsync("events?follow=true", HttpCompletionOption.ResponseHeadersRead),
            await unix.GetAsync("bots/alpha/logs?follow=true", HttpCompletionOption.ResponseHeadersRead),
            await tcp.GetAsync("/events?follow=true", HttpCompletionOption.ResponseHeadersRead),
        };
        foreach (var stream in streams) Assert.True(stream.IsSuccessStatusCode, stream.StatusCode.ToString());

        daemon.Signal("TERM");
        Assert.Equal(0, await daemon.WaitForExitAsync()); // within the test's timeout, not the host's hour
        await daemon.WaitForAsync(DaemonStopped);
        foreach (var stream in streams) stream.Dispose();
    }

    [Fact]
    public async Task Sighup_ChangedFile_RestartsOnlyTheChangedBot()
    {
        using var fleet = new TempFleet().Write(TwoBots);
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        int alpha = await daemon.WaitForRunningAsync("alpha");
        int beta = await daemon.WaitForRunningAsync("beta");
        await daemon.WaitForAsync(DaemonStarted);

        fleet.Write(TwoBots.Replace("beta:\n    command: [\"sh\", \"-c\", \"sleep 1000 & wait\"]", "beta:\n    command: [\"sh\", \"-c\", \"sleep 999 & wait\"]", StringComparison.Ordinal));
        int mark = daemon.Mark;
        daemon.Signal("HUP");

        var applied = await daemon.WaitForAsync(ReloadApplied, after: mark);
        Assert.Contains("0 added, 1 changed, 0 removed, 1 unchanged", applied.Message);
        int newBeta = await daemon.WaitForRunningAsync("beta", after: mark);
        Assert.NotEqual(beta, newBeta);
        Assert.True(Processes.IsAlive(alpha), "the untouched bot lost its worker");
        Assert.False(Processes.IsAlive(beta));
        Assert.DoesNotContain(daemon.Entries.Skip(mark), e => e.EventId is 200 or 201 or 202 && e.Message.StartsWith("Bot alpha:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sighup_StartedUnderNohup_StillReloads()
    {
        using var fleet = new TempFleet().Write(TwoBots);
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir, launcher: "nohup");
        await daemon.WaitForAsync(SighupReclaimed);
        int before = await daemon.WaitForRunningAsync("alpha");
        await daemon.WaitForRunningAsync("beta");
        await daemon.WaitForAsync(DaemonStarted);
        Assert.False(IgnoresSighup(daemon.Pid), "the daemon still ignores SIGHUP");

        fleet.Write(TwoBots.Replace("stop_timeout: 5s", "stop_timeout: 6s", StringComparison.Ordinal));
        int mark = daemon.Mark;
        daemon.Signal("HUP");

        var applied = await daemon.WaitForAsync(ReloadApplied, after: mark);
        Assert.Contains("2 changed", applied.Message);
        int worker = await daemon.WaitForRunningAsync("alpha", after: mark);
        Assert.NotEqual(before, worker);
        Assert.False(IgnoresSighup(worker), "a worker inherited nohup's ignored SIGHUP");
    }

    private static bool IgnoresSighup(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        ulong ignored = ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return (ignored & 1) != 0; // bit 0 is signal 1, SIGHUP
    }

    [Fact]
    public async Task Sighup_BrokenFile_LogsEveryErrorAndChangesNothing()
    {
        using var fleet = new TempFleet().Write(TwoBots);
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        int alpha = await daemon.WaitForRunningAsync("alpha");
        int beta = await daemon.WaitForRunningAsync("beta");
        await daemon.WaitForAsync(DaemonStarted);

        fleet.Write(TwoBots.Replace("stop_timeout: 5s", "stop_timeout: 5 parsecs", StringComparison.Ordinal) + "\n  gamma:\n    comand: sleep 1\n");
        int mark = daemon.Mark;
        daemon.Signal("HUP");

        var rejected = await daemon.WaitForAsync(ReloadRejected, after: mark);
        Assert.Contains("3 error(s)", rejected.Message);
        var errors = daemon.Entries.Skip(mark).Where(e => e.EventId == FleetError).Select(e => e.Message).ToList();
        Assert.Contains(errors, e => e.Contains("botvisor.yaml:2:17: defaults.stop_timeout", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("did you mean 'command'?", StringComparison.Ordinal));
        Assert.True(Processes.IsAlive(alpha) && Processes.IsAlive(beta), "a rejected reload touched the running fleet");
        Assert.DoesNotContain(daemon.Entries.Skip(mark), e => e.EventId == WorkerStarted);
    }

    [Fact]
    public async Task DaemonKilled_NextDaemonEndsTheLeftoverWorker_SoOnlyOneWorkerPerBotLives()
    {
        using var fleet = new TempFleet().Write("""
            bots:
              solo:
                command: ["sh", "-c", "sleep 1000 & wait"]
            """);
        int oldWorker;
        await using (var first = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir))
        {
            oldWorker = await first.WaitForRunningAsync("solo");
            await first.WaitForAsync(DaemonStarted);
            first.Signal("KILL");
            await first.WaitForExitAsync();
        }
        Assert.True(Processes.IsAlive(oldWorker), "the worker should outlive a daemon killed with SIGKILL");
        var oldGroup = ProcessesOfBot(fleet, "solo");
        Assert.Equal(2, oldGroup.Count); // sh and its sleep

        await using var second = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        var ended = await second.WaitForAsync(LeftoverWorkerEnded);
        Assert.Contains($"worker {oldWorker} of bot solo", ended.Message);
        int newWorker = await second.WaitForRunningAsync("solo");

        Assert.NotEqual(oldWorker, newWorker);
        Assert.All(oldGroup, pid => Assert.False(Processes.IsAlive(pid), $"leftover process {pid} is still alive"));
        var now = ProcessesOfBot(fleet, "solo");
        Assert.Equal(2, now.Count);
        Assert.Contains(newWorker, now);
    }

    [Fact]
    public async Task SecondDaemon_OnTheSameStateDirectory_RefusesToStart()
    {
        using var fleet = new TempFleet().Write(TwoBots);
        await using var first = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await first.WaitForAsync(DaemonStarted);

        var (code, _, stderr) = await DaemonRunner.RunCliAsync("run", "--config", fleet.ConfigPath, "--state-dir", fleet.StateDir);

        Assert.Equal(1, code);
        Assert.Contains($"another botvisor daemon (pid {first.Pid}) is already running on the state directory", stderr);
    }

    [Fact]
    public async Task Sigterm_StopsEveryBotAndExitsZero()
    {
        using var fleet = new TempFleet().Write(TwoBots);
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        int alpha = await daemon.WaitForRunningAsync("alpha");
        int beta = await daemon.WaitForRunningAsync("beta");
        await daemon.WaitForAsync(DaemonStarted);

        daemon.Signal("TERM");

        Assert.Equal(0, await daemon.WaitForExitAsync());
        Assert.Contains(daemon.Entries, e => e.EventId == DaemonStopped);
        Assert.False(Processes.IsAlive(alpha) || Processes.IsAlive(beta));
        Assert.Empty(ProcessesOfBot(fleet, "alpha").Concat(ProcessesOfBot(fleet, "beta")));
    }

    /// <summary>
    /// SIGTERM at instants of start-up, counted from the daemon's first log line (before it, the runtime
    /// is still loading: a signal then has its default action, and nothing has started): while the
    /// store opens, while workers start, right after the first worker started (before the API is
    /// bound: the host's start is then cancelled). Every time the daemon stops what it started and
    /// exits 0; nothing of the fleet is left.
    /// </summary>
    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(300)]
    [InlineData(600)]
    public async Task Sigterm_AtAnyInstantOfStartUp_StopsWhatStartedAndExitsZero(int afterMs)
    {
        using var fleet = new TempFleet().Write(TwoBots);
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await daemon.WaitForAsync(DaemonStarting);
        if (afterMs < 0) await daemon.WaitForAsync(WorkerStarted); // the first worker runs, the API is not bound yet
        else await Task.Delay(afterMs);

        daemon.Signal("TERM");

        Assert.Equal(0, await daemon.WaitForExitAsync());
        Assert.Empty(ProcessesOfBot(fleet, "alpha").Concat(ProcessesOfBot(fleet, "beta")));
        Assert.DoesNotContain(daemon.Stderr, l => l.Contains("Exception", StringComparison.Ordinal));
    }

    /// <summary>SIGHUP's default action ends a process; during start-up it is remembered and reloads once the fleet runs.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(150)]
    [InlineData(400)]
    public async Task Sighup_DuringStartUp_DoesNotEndTheDaemon_AndReloadsOnceStarted(int afterMs)
    {
        using var fleet = new TempFleet().Write(TwoBots);
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await daemon.WaitForAsync(DaemonStarting);
        await Task.Delay(afterMs);
        daemon.Signal("HUP");

        await daemon.WaitForAsync(ReloadApplied);
        await daemon.ApiAddressAsync();
        await daemon.WaitForRunningAsync("alpha");
        daemon.Signal("TERM");
        Assert.Equal(0, await daemon.WaitForExitAsync());
    }

    /// <summary>
    /// Issue 13: every worker ran as root, so each could read every other bot's BOT_TOKEN from
    /// /proc/PID/environ. A bot with <c>user:</c> runs as that account (through setpriv, after joining
    /// its cgroup) and cannot read another bot's environment. Without root, <c>user:</c> is refused by name.
    /// </summary>
    [Fact]
    public async Task User_RunsTheWorkerAsThatAccount_WhichCannotReadAnotherBotsEnvironment()
    {
        const string token = "5550001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq";
        using var fleet = new TempFleet().Write($$"""
            defaults:
              telegram: { validate: false }
            bots:
              lowly:
                command: ["sleep", "1000"]
                user: nobody
              secret:
                command: ["sleep", "1000"]
                token: "{{token}}"
            """);
        if (Botvisor.Core.Supervision.Accounts.EffectiveUid != 0)
        {
            var (code, _, stderr) = await DaemonRunner.RunCliAsync("validate", fleet.ConfigPath);
            Assert.Equal(1, code);
            Assert.Contains("bots.lowly.user: running a worker as another account needs the daemon to run as root", stderr);
            return;
        }

        var nobody = Botvisor.Core.Supervision.Accounts.FindUser("nobody")!;
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        int lowly = await daemon.WaitForRunningAsync("lowly");
        int secret = await daemon.WaitForRunningAsync("secret");

        // The worker is setpriv until it has set the account and exec'd the bot.
        for (var until = DateTime.UtcNow + TestTimeouts.Event; File.ReadAllText($"/proc/{lowly}/comm").Trim() != "sleep" && DateTime.UtcNow < until;) await Task.Delay(20);
        var status = File.ReadAllLines($"/proc/{lowly}/status");
        Assert.Contains(status, l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries).Skip(1).All(f => f == nobody.Uid.ToString(CultureInfo.InvariantCulture)));
        Assert.Contains(status, l => l.StartsWith("Gid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries).Skip(1).All(f => f == nobody.Gid.ToString(CultureInfo.InvariantCulture)));
        var environ = File.ReadAllText($"/proc/{lowly}/environ").Split('\0');
        Assert.Contains("USER=nobody", environ);
        Assert.Contains("HOME=" + nobody.Home, environ);

        // What the lowly bot could do: read the other worker's environment as its own account.
        var psi = new System.Diagnostics.ProcessStartInfo(Botvisor.Core.Supervision.WorkerCommand.Setpriv!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { $"--reuid={nobody.Uid}", $"--regid={nobody.Gid}", "--clear-groups", "--", "cat", $"/proc/{secret}/environ" }) psi.ArgumentList.Add(a);
        using var cat = System.Diagnostics.Process.Start(psi)!;
        var read = await cat.StandardOutput.ReadToEndAsync();
        var error = await cat.StandardError.ReadToEndAsync();
        await cat.WaitForExitAsync();
        Assert.NotEqual(0, cat.ExitCode);
        Assert.Contains("Permission denied", error);
        Assert.DoesNotContain(token, read);
        Assert.Contains(token, File.ReadAllText($"/proc/{secret}/environ")); // it is there, for its own worker
    }

    /// <summary>Issue 13: the state directory and everything in it are for the daemon's user alone.</summary>
    [Fact]
    public async Task StateDirectory_Is0700_AndItsFiles0600()
    {
        using var fleet = new TempFleet().Write("""
            bots:
              alpha:
                command: ["sh", "-c", "echo hello; sleep 1000"]
            """);
        Directory.CreateDirectory(fleet.StateDir);
        File.SetUnixFileMode(fleet.StateDir, (UnixFileMode)Convert.ToInt32("755", 8));
        File.WriteAllText(Path.Combine(fleet.StateDir, "botvisor.db"), "");
        File.SetUnixFileMode(Path.Combine(fleet.StateDir, "botvisor.db"), (UnixFileMode)Convert.ToInt32("644", 8)); // as an older version left it
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await daemon.WaitForRunningAsync("alpha");
        await daemon.ApiAddressAsync();
        using (var http = daemon.UnixHttp())
        {
            while (!(await http.GetStringAsync("/bots/alpha/logs")).Contains("hello", StringComparison.Ordinal)) await Task.Delay(50);
        }
        var log = Path.Combine(fleet.StateDir, "logs", "alpha.log");
        for (var until = DateTime.UtcNow + TestTimeouts.Event; !File.Exists(log) && DateTime.UtcNow < until;) await Task.Delay(50);

        Assert.Equal((UnixFileMode)Convert.ToInt32("700", 8), File.GetUnixFileMode(fleet.StateDir));
        var entries = new DirectoryInfo(fleet.StateDir).EnumerateFileSystemInfos("*", SearchOption.AllDirectories).ToList();
        Assert.Contains(entries, e => e.Name == "botvisor.db-wal");
        Assert.Contains(entries, e => e.Name == "alpha.log");
        foreach (var entry in entries)
        {
            var others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if (entry.Name == "notify.sock") continue; // the sd_notify socket must be writable by workers; the 0700 directory keeps others out
            Assert.True((entry.UnixFileMode & others) == 0, $"{entry.FullName} is {entry.UnixFileMode}");
        }
    }

    [Fact]
    public async Task Run_InvalidFleetFile_PrintsTheErrorsAndExitsOne()
    {
        using var fleet = new TempFleet().Write("bots:\n  echo:\n    command: sleep 1\n    restart: sometimes\n");
        var (code, _, stderr) = await DaemonRunner.RunCliAsync("run", "--config", fleet.ConfigPath, "--state-dir", fleet.StateDir);
        Assert.Equal(1, code);
        Assert.Contains("botvisor.yaml:4:14: bots.echo.restart: unknown restart policy", stderr);
        Assert.Contains("not started", stderr);
    }

    /// <summary>
    /// Live processes whose environment says they belong to the bot of this fleet's daemon (its worker
    /// and the worker's children): the bot's id and the daemon's mark, which no other test's daemon has.
    /// </summary>
    private static List<int> ProcessesOfBot(TempFleet fleet, string botId)
    {
        var mark = new Botvisor.Hosting.DaemonOptions { ConfigPath = fleet.ConfigPath, StateDirectory = Path.GetFullPath(fleet.StateDir) }.WorkerMark;
        return Botvisor.Core.Supervision.WorkerMarks.Find(mark).Where(p => p.BotId == botId).Select(p => p.Pid).ToList();
    }
}

[CollectionDefinition(Name)]
public sealed class DaemonCollection
{
    public const string Name = "daemon";
}
