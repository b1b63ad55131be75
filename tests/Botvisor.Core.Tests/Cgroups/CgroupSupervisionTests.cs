using Botvisor.Core.Cgroups;
using Botvisor.Core.Fleet;
using Botvisor.Core.Health;
using Botvisor.Core.State;
using Botvisor.Core.Supervision;
using Botvisor.Testing;

namespace Botvisor.Core.Tests.Cgroups;

/// <summary>
/// Bots with limits in cgroups of their own, with real workers and a real cgroup v2 tree. Which
/// controllers the tree has depends on the machine (a hybrid cgroup v1/v2 host offers neither memory
/// nor cpu in v2); each test says which enforcement it exercised.
/// </summary>
[Collection(RealProcesses.Name)]
public class CgroupSupervisionTests : IAsyncLifetime
{
    private readonly CgroupTree _tree;
    private readonly SupervisorHarness _h;

    public CgroupSupervisionTests()
    {
        _tree = TestCgroups.Open();
        _h = new SupervisorHarness(_tree);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _h.DisposeAsync();
        Assert.False(Directory.Exists(_tree.Path), $"the test's cgroup tree {_tree.Path} was left behind");
    }

    private static void Say(string message) => TestContext.Current.TestOutputHelper?.WriteLine(message);

    /// <summary>Gone, or a zombie the reaper has not collected yet: either way it runs no code.</summary>
    private static bool IsRunning(int pid) => ProcStat.Read(pid) is { State: not 'Z' and not 'X' };

    /// <summary>A child that leaves the worker's session and process group, and says so once it has.</summary>
    private const string EscapingScript = "setsid sh -c 'echo escaped $$; exec sleep 1000' & wait";

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Event;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(20);
        }
    }

    private BotSpec Limited(BotSpec spec) => spec with { MemoryMax = 512L * 1024 * 1024 };

    [Fact]
    public async Task WorkerAndEverythingItForks_AreInTheBotsOwnCgroup()
    {
        await _h.ApplyAsync(Limited(_h.Shell("member", EscapingScript)));
        var running = await _h.WaitForStateAsync("member", BotLifecycleState.Running);
        var line = await _h.WaitForOutputAsync("member", t => t.StartsWith("escaped ", StringComparison.Ordinal));
        int escaped = int.Parse(line.Text[8..]);

        var cgroup = _tree.ForBot("member");
        Assert.Equal(cgroup.Path, running.Limits.CgroupPath);
        var members = cgroup.Processes();
        Assert.Contains(running.Pid!.Value, members);
        Assert.Contains(escaped, members);
        Assert.NotEqual(running.Pid, ProcStat.Read(escaped)!.Value.Session);
    }

    [Fact]
    public async Task Stop_EndsAProcessThatLeftTheSession_ThenRemoveDeletesTheCgroup()
    {
        await _h.ApplyAsync(Limited(_h.Shell("escaper", EscapingScript)));
        var line = await _h.WaitForOutputAsync("escaper", t => t.StartsWith("escaped ", StringComparison.Ordinal));
        int escaped = int.Parse(line.Text[8..]);
        Assert.True(IsRunning(escaped));

        var supervisor = _h.Bot("escaper");
        var stopped = await supervisor.SendAsync(BotCommand.Stop, "test");

        Assert.Equal(BotLifecycleState.Stopped, stopped.State);
        Assert.False(IsRunning(escaped), "a process that had left the worker's session outlived the stop");
        Assert.False(_tree.ForBot("escaper").IsPopulated);

        await _h.ApplyAsync();
        await supervisor.Completion.WaitAsync(TestTimeouts.Event);
        Assert.False(Directory.Exists(_tree.ForBot("escaper").Path), "the removed bot's cgroup is still there");
    }

    [Fact]
    public async Task KilledWorker_ItsEscapedChildIsGoneBeforeTheReplacementStarts()
    {
        await _h.ApplyAsync(Limited(_h.Shell("crasher", EscapingScript) with
        {
            Restart = RestartPolicy.Always,
            Backoff = new BackoffSettings(TimeSpan.FromSeconds(2), 2, TimeSpan.FromSeconds(2), 0),
        }));
        var running = await _h.WaitForStateAsync("crasher", BotLifecycleState.Running);
        var line = await _h.WaitForOutputAsync("crasher", t => t.StartsWith("escaped ", StringComparison.Ordinal));
        int escaped = int.Parse(line.Text[8..]);

        ProcessGroup.SignalProcess(running.Pid!.Value, Signals.SIGKILL);

        var backoff = await _h.WaitForStateAsync("crasher", BotLifecycleState.Backoff);
        Assert.False(IsRunning(escaped), "the crashed worker's escaped child was still running when the bot went to backoff");
        Assert.Equal(ExitStatus.Killed(Signals.SIGKILL), backoff.LastExit);
    }

    [Fact]
    public async Task MemoryMax_WorkerAllocatingPastIt_IsEndedWithTheReason()
    {
        _h.Sampler.Start(TimeSpan.FromMilliseconds(100));
        await _h.ApplyAsync(_h.Python("leaky", "buf = bytearray(120 * 1024 * 1024); print('allocated', flush=True); time.sleep(1000)") with
        {
            MemoryMax = 48L * 1024 * 1024,
            Backoff = new BackoffSettings(TimeSpan.FromSeconds(5), 2, TimeSpan.FromSeconds(5), 0),
        });

        var backoff = await _h.WaitForStateAsync("leaky", BotLifecycleState.Backoff);

        Assert.Equal(_tree.ForBot("leaky").Path, backoff.Limits.CgroupPath);
        if (_tree.Controllers.Contains("memory"))
        {
            Say("exercised: cgroup enforcement (memory.max; the kernel's OOM killer ended the worker)");
            Assert.Equal(LimitEnforcement.Cgroup, backoff.Limits.Memory);
            Assert.StartsWith("memory limit 48 MiB exceeded (the kernel's OOM killer ended the bot in its cgroup", backoff.Reason);
            Assert.Equal(ExitStatus.Killed(Signals.SIGKILL), backoff.LastExit);
        }
        else
        {
            Say($"exercised: watched enforcement (this machine's cgroup v2 has no memory controller: {_tree.Describe()})");
            Assert.Equal(LimitEnforcement.Watched, backoff.Limits.Memory);
            Assert.Matches(@"^memory limit 48 MiB exceeded \(RSS \d+(\.\d)? MiB\)", backoff.Reason);
            Assert.Equal(ExitStatus.Killed(Signals.SIGTERM), backoff.LastExit);
        }
        Assert.False(backoff.Checks["memory"].Healthy);
    }

    [Fact]
    public async Task CpuMax_IsWrittenToCpuMax_OrReportedAsNotEnforced()
    {
        await _h.ApplyAsync(_h.Shell("capped", "sleep 1000") with { CpuMax = 0.5 });
        var running = await _h.WaitForStateAsync("capped", BotLifecycleState.Running);

        var cgroup = _tree.ForBot("capped");
        if (_tree.Controllers.Contains("cpu"))
        {
            Say("exercised: cgroup enforcement (cpu.max)");
            Assert.Equal(LimitEnforcement.Cgroup, running.Limits.Cpu);
            Assert.Equal("50000 100000", File.ReadAllText(Path.Combine(cgroup.Path, "cpu.max")).Trim());
        }
        else
        {
            Say($"exercised: no cpu controller here, so cpu_max is reported as not enforced ({_tree.Describe()})");
            Assert.Equal(LimitEnforcement.NotEnforced, running.Limits.Cpu);
            Assert.Contains(_h.Logs.Messages, m => m.Message.Contains("cpu_max is not enforced", StringComparison.Ordinal));
        }
        Assert.Null(running.Limits.Memory);
        // The worker joins its cgroup in its first instruction, which may come just after the state change.
        await WaitUntilAsync(() => cgroup.Processes().Contains(running.Pid!.Value), "the worker never joined its cgroup");
    }

    [Fact]
    public async Task BotWithoutLimits_GetsNoCgroup()
    {
        await _h.ApplyAsync(_h.Shell("plain", "sleep 1000"));
        var running = await _h.WaitForStateAsync("plain", BotLifecycleState.Running);
        Assert.Equal(LimitEnforcement.None, running.Limits);
        Assert.False(Directory.Exists(_tree.ForBot("plain").Path));
    }
}
