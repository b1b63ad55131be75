using System.Net.Sockets;
using System.Text;
using Botvisor.Core.Fleet;
using Botvisor.Core.State;
using Botvisor.Testing;

namespace Botvisor.Core.Tests.Health;

/// <summary>sd_notify with real senders: raw datagrams (path and abstract addresses) and Debian's python3-sdnotify.</summary>
[Collection(RealProcesses.Name)]
public class NotifyTests : IAsyncLifetime
{
    private readonly SupervisorHarness _h = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task ReadyNotify_BotIsStartingUntilReady_ThenRunningAndReady_AndDependentsWaitForIt()
    {
        await _h.ApplyAsync(
            _h.Python("db", "time.sleep(0.5); notify('READY=1\\nSTATUS=accepting connections'); time.sleep(1000)") with { Ready = ReadyMode.Notify },
            _h.Shell("app", "sleep 1000") with { DependsOn = ["db"] });

        var starting = await _h.WaitForAsync("db", s => s.State == BotLifecycleState.Starting && s.Pid is not null);
        Assert.False(starting.Ready);
        Assert.Equal(BotLifecycleState.Waiting, _h.State.Get("app")!.State);

        var running = await _h.WaitForStateAsync("db", BotLifecycleState.Running);
        Assert.True(running.Ready);
        Assert.StartsWith("ready (READY=1", running.Reason);
        var app = await _h.WaitForStateAsync("app", BotLifecycleState.Running);
        Assert.True(app.StartedAt >= running.StartedAt);
        var withStatus = await _h.WaitForAsync("db", s => s.StatusText is not null);
        Assert.Equal("accepting connections", withStatus.StatusText);
        Assert.Equal(HealthVerdict.Healthy, withStatus.Health);
    }

    [Fact]
    public async Task ReadyTooLate_StartTimeout_RestartsWithTheReason()
    {
        await _h.ApplyAsync(_h.Python("slow", "time.sleep(5); notify('READY=1'); time.sleep(1000)") with
        {
            Ready = ReadyMode.Notify,
            StartTimeout = TimeSpan.FromMilliseconds(300),
        });

        var backoff = await _h.WaitForStateAsync("slow", BotLifecycleState.Backoff);
        Assert.StartsWith("start timeout: no READY=1 within 300ms", backoff.Reason);
        Assert.Equal(HealthVerdict.Unhealthy, backoff.Health);
        Assert.False(backoff.Checks["notify"].Healthy);
    }

    [Fact]
    public async Task WatchdogStops_BotIsRestartedWithWatchdogTimeout_AndGetsWatchdogUsec()
    {
        await _h.ApplyAsync(_h.Python("hangs", """
            print("usec=" + os.environ["WATCHDOG_USEC"] + " pid_ok=" + str(os.environ["WATCHDOG_PID"] == str(os.getpid())), flush=True)
            for i in range(10):
                notify("WATCHDOG=1")
                time.sleep(0.05)
            time.sleep(1000)  # hung: no more WATCHDOG=1
            """) with { Watchdog = TimeSpan.FromSeconds(1) });

        var line = await _h.WaitForOutputAsync("hangs", t => t.StartsWith("usec=", StringComparison.Ordinal));
        Assert.Equal("usec=1000000 pid_ok=True", line.Text);
        var backoff = await _h.WaitForStateAsync("hangs", BotLifecycleState.Backoff);
        Assert.StartsWith("watchdog timeout: no WATCHDOG=1 within 1s", backoff.Reason);
    }

    [Fact]
    public async Task WatchdogTrigger_RestartsTheBot()
    {
        await _h.ApplyAsync(_h.Python("trigger", "time.sleep(0.3); notify('WATCHDOG=trigger'); time.sleep(1000)") with { Watchdog = TimeSpan.FromSeconds(30) });
        var backoff = await _h.WaitForStateAsync("trigger", BotLifecycleState.Backoff);
        Assert.StartsWith("watchdog triggered by the bot (WATCHDOG=trigger)", backoff.Reason);
    }

    [Fact]
    public async Task SpoofedDatagramFromAnotherProcess_DoesNotMakeTheBotReady()
    {
        await _h.ApplyAsync(_h.Python("victim", "print('up', flush=True); time.sleep(1000)") with
        {
            Ready = ReadyMode.Notify,
            StartTimeout = TimeSpan.FromSeconds(2),
        });
        await _h.WaitForOutputAsync("victim", t => t == "up");

        // This test process is not in the bot's session: the kernel's credentials say so, whatever the datagram claims.
        using (var spoofer = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified))
        {
            var pid = _h.State.Get("victim")!.Pid!.Value;
            spoofer.SendTo(Encoding.UTF8.GetBytes($"READY=1\nMAINPID={pid}"), new UnixDomainSocketEndPoint(_h.Services.NotifySocketPath!));
        }

        var next = await _h.WaitForAsync("victim", s => s.State is BotLifecycleState.Running or BotLifecycleState.Backoff);
        Assert.Equal(BotLifecycleState.Backoff, next.State);
        Assert.StartsWith("start timeout", next.Reason);
    }

    [Fact]
    public async Task AbstractSocketAddress_Works()
    {
        await _h.ApplyAsync(_h.Python("abstract", $"notify('READY=1', '@{_h.NotifyAbstractName}'); time.sleep(1000)") with { Ready = ReadyMode.Notify });
        var running = await _h.WaitForStateAsync("abstract", BotLifecycleState.Running);
        Assert.True(running.Ready);
    }

    [Fact]
    public async Task ChildOfTheWorker_CanNotifyForIt()
    {
        // NotifyAccess=all, limited to the bot's own session: a helper process of the bot may report readiness.
        await _h.ApplyAsync(_h.Shell("family", "python3 -c \"" + "import os,socket; s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b'READY=1', os.environ['NOTIFY_SOCKET'])" + "\"; sleep 1000") with
        {
            Ready = ReadyMode.Notify,
        });
        Assert.True((await _h.WaitForStateAsync("family", BotLifecycleState.Running)).Ready);
    }

    [Fact]
    public async Task DotnetGenericHostWorker_WithSystemdLifetime_BecomesReady()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "workers", "SystemdWorker", "bin", configuration, "net10.0", "SystemdWorker.dll"));
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first");
        await _h.ApplyAsync(_h.Shell("generic-host", "") with
        {
            Command = ["dotnet", dll],
            Ready = ReadyMode.Notify,
            StartTimeout = TimeSpan.FromSeconds(30),
            Watchdog = TimeSpan.FromSeconds(10),
        });
        var result = await _h.WaitForAsync("generic-host", s => s.State is BotLifecycleState.Running or BotLifecycleState.Backoff or BotLifecycleState.Failed);
        Assert.True(result.State == BotLifecycleState.Running, result.Reason + " | " + string.Join(" | ", _h.Bot("generic-host").Output.Tail(20).Select(l => l.Text)));
        Assert.Equal("generic host running", (await _h.WaitForAsync("generic-host", s => s.StatusText is not null)).StatusText);
        var stopped = await _h.Bot("generic-host").SendAsync(Core.Supervision.BotCommand.Stop, "test");
        Assert.Equal(Core.Supervision.ExitStatus.Exited(0), stopped.LastExit);
    }

    [Fact]
    public async Task PythonSdnotify_FromDebian_MakesTheBotReady()
    {
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var spec = _h.Shell("sdnotify", "") with
        {
            Command = [python, "-c", "import sdnotify, time; n = sdnotify.SystemdNotifier(debug=True); n.notify('READY=1'); n.notify('STATUS=ready via sdnotify'); time.sleep(1000)"],
            Ready = ReadyMode.Notify,
            StartTimeout = TimeSpan.FromSeconds(20),
        };
        await _h.ApplyAsync(spec);
        var result = await _h.WaitForAsync("sdnotify", s => s.State is BotLifecycleState.Running or BotLifecycleState.Backoff or BotLifecycleState.Failed);
        Assert.True(result.State == BotLifecycleState.Running,
            $"python3-sdnotify did not make the bot ready ({result.Reason}); is it installed? apt-get install python3-sdnotify (.ci/run does this). Output: "
            + string.Join(" | ", _h.Bot("sdnotify").Output.Tail(20).Select(l => l.Text)));
        Assert.Equal("ready via sdnotify", (await _h.WaitForAsync("sdnotify", s => s.StatusText is not null)).StatusText);
    }
}
