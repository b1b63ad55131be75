using Botvisor.Core.Fleet;
using Botvisor.Core.State;
using Botvisor.Core.Supervision;
using Botvisor.Testing;

namespace Botvisor.Core.Tests.Supervision;

/// <summary>Supervision of real worker processes (sh scripts) in this process.</summary>
[Collection(RealProcesses.Name)]
public class BotSupervisorTests : IAsyncLifetime
{
    private readonly SupervisorHarness _h = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task Crash_RestartsWithBackoff_ThenFailsWhenTheBudgetIsSpent()
    {
        await _h.ApplyAsync(_h.Shell("crash", "exit 3") with { MaxRestarts = 2 });

        var failed = await _h.WaitForStateAsync("crash", BotLifecycleState.Failed);

        Assert.Contains("gave up after 2 restarts", failed.Reason);
        Assert.Contains("exited with code 3", failed.Reason);
        Assert.Equal(2, failed.Restarts);
        Assert.Equal(ExitStatus.Exited(3), failed.LastExit);
        await _h.Writer.FlushAsync();
        var states = _h.Store.Events.Where(e => e.BotId == "crash" && e.Kind == BotEventKinds.State).Select(e => e.State).ToList();
        Assert.Equal(["starting", "running", "backoff", "starting", "running", "backoff", "starting", "running", "failed"], states);
    }

    [Fact]
    public async Task ZeroBackoff_RestartsAtOnce_AndStillSpendsTheBudget()
    {
        await _h.ApplyAsync(_h.Shell("eager", "exit 3") with
        {
            MaxRestarts = 3,
            Backoff = new BackoffSettings(TimeSpan.Zero, 2, TimeSpan.Zero, 0),
        });

        var failed = await _h.WaitForStateAsync("eager", BotLifecycleState.Failed);

        Assert.Equal(3, failed.Restarts);
        Assert.Contains("gave up after 3 restarts", failed.Reason);
    }

    [Fact]
    public async Task OnFailure_CleanExit_IsStopped()
    {
        await _h.ApplyAsync(_h.Shell("clean", "exit 0") with { Restart = RestartPolicy.OnFailure });
        var stopped = await _h.WaitForStateAsync("clean", BotLifecycleState.Stopped);
        Assert.Equal(0, stopped.Restarts);
        Assert.Equal(ExitStatus.Exited(0), stopped.LastExit);
    }

    [Fact]
    public async Task Always_CleanExit_IsRestarted()
    {
        await _h.ApplyAsync(_h.Shell("always", "exit 0") with { Restart = RestartPolicy.Always, MaxRestarts = 1 });
        var failed = await _h.WaitForStateAsync("always", BotLifecycleState.Failed);
        Assert.Equal(1, failed.Restarts);
    }

    [Fact]
    public async Task Never_FailedExit_IsFailedWithoutRestart()
    {
        await _h.ApplyAsync(_h.Shell("never", "exit 7") with { Restart = RestartPolicy.Never });
        var failed = await _h.WaitForStateAsync("never", BotLifecycleState.Failed);
        Assert.Equal(0, failed.Restarts);
        Assert.Contains("exited with code 7 (restart: never)", failed.Reason);
    }

    [Fact]
    public async Task Stop_EndsTheWholeProcessGroup_GrandchildIncluded()
    {
        await _h.ApplyAsync(_h.Shell("family", "sleep 1000 & echo child $!; wait"));
        var line = await _h.WaitForOutputAsync("family", t => t.StartsWith("child ", StringComparison.Ordinal));
        int child = int.Parse(line.Text[6..]);
        Assert.True(ProcessGroup.IsProcessAlive(child));

        var stopped = await _h.Bot("family").SendAsync(BotCommand.Stop, "test");

        Assert.Equal(BotLifecycleState.Stopped, stopped.State);
        Assert.False(ProcessGroup.IsProcessAlive(child), "the grandchild outlived its bot");
    }

    [Fact]
    public async Task KilledWorker_ItsChildIsGoneBeforeTheReplacementStarts()
    {
        var spec = _h.Shell("orphaner", "sleep 1000 & echo child $!; wait") with
        {
            Restart = RestartPolicy.Always,
            Backoff = new BackoffSettings(TimeSpan.FromSeconds(2), 2, TimeSpan.FromSeconds(2), 0),
        };
        await _h.ApplyAsync(spec);
        var running = await _h.WaitForStateAsync("orphaner", BotLifecycleState.Running);
        var line = await _h.WaitForOutputAsync("orphaner", t => t.StartsWith("child ", StringComparison.Ordinal));
        int child = int.Parse(line.Text[6..]);

        ProcessGroup.SignalProcess(running.Pid!.Value, Signals.SIGKILL);

        var backoff = await _h.WaitForStateAsync("orphaner", BotLifecycleState.Backoff);
        Assert.False(ProcessGroup.IsProcessAlive(child), "the crashed worker's child was still alive when the bot went to backoff");
        Assert.Equal(ExitStatus.Killed(Signals.SIGKILL), backoff.LastExit);
        var replacement = await _h.WaitForAsync("orphaner", s => s.State == BotLifecycleState.Running && s.Pid != running.Pid);
        Assert.NotEqual(running.Pid, replacement.Pid);
        Assert.False(ProcessGroup.IsProcessAlive(child));
    }

    [Fact]
    public async Task Stop_WorkerIgnoringSigterm_IsKilledAfterStopTimeout()
    {
        await _h.ApplyAsync(_h.Shell("stubborn", "trap '' TERM; echo ready; while :; do sleep 0.1; done") with
        {
            StopTimeout = TimeSpan.FromMilliseconds(500),
        });
        await _h.WaitForOutputAsync("stubborn", t => t == "ready");

        var stopped = await _h.Bot("stubborn").SendAsync(BotCommand.Stop, "test");

        Assert.Equal(BotLifecycleState.Stopped, stopped.State);
        Assert.Equal(ExitStatus.Killed(Signals.SIGKILL), stopped.LastExit);
        Assert.Contains(_h.Logs.Messages, m => m.Id.Id == Diagnostics.LogEventIds.GroupKilled);
    }

    [Fact]
    public async Task Worker_GetsTheEnvironment_AndItsPrintedTokenIsMaskedInTheLog()
    {
        const string token = "4242424242:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq";
        const string other = "777:AnotherBotsSecretToken";
        Environment.SetEnvironmentVariable("BOTVISOR_TEST_OTHER_TOKEN", other);
        Environment.SetEnvironmentVariable("BOTVISOR_API_TOKEN", "api-secret");
        try
        {
            await _h.ApplyAsync(
                _h.Shell("envbot", "echo \"id=$BOTVISOR_BOT_ID url=$TELEGRAM_API_BASE_URL token=$BOT_TOKEN tg=$TELEGRAM_BOT_TOKEN level=$LEVEL other=$BOTVISOR_TEST_OTHER_TOKEN api=$BOTVISOR_API_TOKEN\"; sleep 1000") with
                {
                    Token = new BotToken(token),
                    Env = new Dictionary<string, string> { ["LEVEL"] = "info" },
                    TelegramApiBaseUrl = "http://127.0.0.1:1234",
                },
                _h.Shell("other", "sleep 1000") with { Token = new BotToken(other) });

            var line = await _h.WaitForOutputAsync("envbot", t => t.StartsWith("id=", StringComparison.Ordinal));

            Assert.Equal("id=envbot url=http://127.0.0.1:1234 token=4242424242:**** tg=4242424242:**** level=info other= api=", line.Text);
            // Followers see a line as it is read; the file gets it when the output reader flushes its chunk.
            var file = "";
            using var cts = new CancellationTokenSource(TestTimeouts.Event);
            while (!(file = await File.ReadAllTextAsync(_h.Bot("envbot").Output.FilePath, cts.Token)).Contains("token=", StringComparison.Ordinal))
            {
                await Task.Delay(20, cts.Token);
            }
            Assert.Contains("token=4242424242:****", file);
            Assert.DoesNotContain(token, file);
            Assert.DoesNotContain(_h.Logs.Messages, m => m.Message.Contains(token, StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable("BOTVISOR_TEST_OTHER_TOKEN", null);
            Environment.SetEnvironmentVariable("BOTVISOR_API_TOKEN", null);
        }
    }

    [Fact]
    public async Task InheritEnvFalse_GivesOnlyPathAndBotvisorVariables()
    {
        Environment.SetEnvironmentVariable("BOTVISOR_TEST_LEAK", "leak");
        try
        {
            await _h.ApplyAsync(_h.Shell("clean-env", "echo \"leak=$BOTVISOR_TEST_LEAK path=$PATH id=$BOTVISOR_BOT_ID\"; sleep 1000") with { InheritEnv = false });
            var line = await _h.WaitForOutputAsync("clean-env", t => t.StartsWith("leak=", StringComparison.Ordinal));
            Assert.Equal($"leak= path={WorkerEnvironment.DefaultPath} id=clean-env", line.Text);
        }
        finally
        {
            Environment.SetEnvironmentVariable("BOTVISOR_TEST_LEAK", null);
        }
    }

    [Fact]
    public async Task FloodingWorker_DaemonStaysResponsive_AndTheLogStaysBounded()
    {
        await _h.ApplyAsync(_h.Shell("flood", "yes 'flooding the daemon with output, line after line after line'") with
        {
            LogMaxSize = 256 * 1024,
            LogMaxFiles = 2,
        });
        var first = await _h.WaitForStateAsync("flood", BotLifecycleState.Running);
        await _h.WaitForOutputAsync("flood", t => t.StartsWith("flooding", StringComparison.Ordinal));

        var restarted = await _h.Bot("flood").SendAsync(BotCommand.Restart, "test");
        Assert.Equal(BotLifecycleState.Running, restarted.State);
        Assert.NotEqual(first.Pid, restarted.Pid);
        var stopped = await _h.Bot("flood").SendAsync(BotCommand.Stop, "test");
        Assert.Equal(BotLifecycleState.Stopped, stopped.State);
        // The output reader drains what the worker wrote before it died; look at the files once it has.
        var drained = DateTime.UtcNow + TestTimeouts.Event;
        while (_h.Output.Count > 0 && DateTime.UtcNow < drained) await Task.Delay(10);
        Assert.Equal(0, _h.Output.Count);

        var logs = Directory.GetFiles(Path.GetDirectoryName(_h.Bot("flood").Output.FilePath)!, "flood.log*");
        Assert.InRange(logs.Length, 1, 2);
        Assert.All(logs, f => Assert.True(new FileInfo(f).Length <= 256 * 1024));
    }

    [Fact]
    public async Task MissingProgram_FailsWithTheReason()
    {
        await _h.ApplyAsync(_h.Shell("ghost", "") with { Command = ["/nonexistent/bot"], MaxRestarts = 1 });
        var failed = await _h.WaitForStateAsync("ghost", BotLifecycleState.Failed);
        Assert.Contains("program not found: /nonexistent/bot", failed.Reason);
    }

    [Fact]
    public async Task DependsOn_StartsAfterTheDependencyRuns()
    {
        await _h.ApplyAsync(
            _h.Shell("app", "sleep 1000") with { DependsOn = ["db"] },
            _h.Shell("db", "sleep 1000") with { Autostart = false });

        var pending = await _h.WaitForAsync("app", s => s.Reason.Contains("waiting", StringComparison.Ordinal));
        Assert.Equal(BotLifecycleState.Waiting, pending.State);
        Assert.Equal("waiting for db to be running", pending.Reason);

        await _h.Bot("db").SendAsync(BotCommand.Start, "test");
        var app = await _h.WaitForStateAsync("app", BotLifecycleState.Running);
        Assert.True(app.StartedAt >= _h.State.Get("db")!.StartedAt);
    }

    [Fact]
    public async Task Apply_ChangedBotRestarts_UntouchedBotKeepsItsPid_RemovedBotStops()
    {
        await _h.ApplyAsync(_h.Shell("keep", "sleep 1000"), _h.Shell("change", "sleep 1000"), _h.Shell("drop", "sleep 1000"));
        var keep = await _h.WaitForStateAsync("keep", BotLifecycleState.Running);
        var change = await _h.WaitForStateAsync("change", BotLifecycleState.Running);
        var drop = await _h.WaitForStateAsync("drop", BotLifecycleState.Running);

        var diff = await _h.ApplyAsync(_h.Shell("keep", "sleep 1000"), _h.Shell("change", "sleep 999"), _h.Shell("new", "sleep 1000"));

        Assert.Equal("1 added, 1 changed, 1 removed, 1 unchanged", diff.ToString());
        var changed = await _h.WaitForAsync("change", s => s.State == BotLifecycleState.Running && s.Pid != change.Pid);
        await _h.WaitForStateAsync("new", BotLifecycleState.Running);
        Assert.Equal(keep.Pid, _h.State.Get("keep")!.Pid);
        Assert.Null(_h.Reconciler.Find("drop"));
        Assert.False(ProcessGroup.IsProcessAlive(drop.Pid!.Value));
        Assert.NotEqual(change.Pid, changed.Pid);
    }

    [Fact]
    public async Task StopAll_StopsFiftyBotsConcurrently()
    {
        var release = Path.Combine(_h.Directory, "release");
        var script = $"trap 'echo term; while [ ! -f {release} ]; do sleep 0.05; done; exit 0' TERM; echo up; while :; do sleep 0.1; done";
        var specs = Enumerable.Range(0, 50).Select(i => _h.Shell($"bot-{i:D2}", script) with { StopTimeout = TimeSpan.FromMinutes(2) }).ToArray();
        await _h.ApplyAsync(specs);
        foreach (var s in specs) await _h.WaitForOutputAsync(s.Id, t => t == "up");

        var stopping = _h.Reconciler.StopAllAsync("test");

        // Every worker has its SIGTERM before any of them is allowed to exit: the stops overlap.
        foreach (var s in specs) await _h.WaitForOutputAsync(s.Id, t => t == "term");
        Assert.All(specs, s => Assert.Equal(BotLifecycleState.Stopping, _h.State.Get(s.Id)!.State));
        Assert.False(stopping.IsCompleted);
        File.WriteAllText(release, "");
        await stopping.WaitAsync(TestTimeouts.Event);
        Assert.All(specs, s => Assert.Equal(BotLifecycleState.Stopped, _h.State.Get(s.Id)!.State));
    }
}
