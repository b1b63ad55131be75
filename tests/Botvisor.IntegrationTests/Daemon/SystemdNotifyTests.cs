using System.Net.Sockets;
using System.Text;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.Daemon;

/// <summary>
/// The daemon under a <c>Type=notify</c> unit: READY=1 once its fleet has started, WATCHDOG=1 under
/// WatchdogSec, STOPPING=1 on SIGTERM; systemd's variables never reach a worker.
/// </summary>
[Collection(DaemonCollection.Name)]
public class SystemdNotifyTests
{
    [Fact]
    public async Task Daemon_SendsReady_Watchdog_AndStopping_ToItsServiceManager()
    {
        using var fleet = new TempFleet().Write("""
            bots:
              probe:
                command: ["sh", "-c", "echo \"wd=${WATCHDOG_USEC:-none} pid=${WATCHDOG_PID:-none}\"; exec sleep 1000"]
            """);
        var socketPath = Path.Combine(fleet.Directory, "systemd-notify.sock");
        using var manager = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        manager.Bind(new UnixDomainSocketEndPoint(socketPath));
        var messages = new List<string>();

        async Task<string> ReceiveUntilAsync(string wanted)
        {
            using var cts = new CancellationTokenSource(TestTimeouts.Daemon);
            var buffer = new byte[4096];
            while (true)
            {
                int n = await manager.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                var message = Encoding.UTF8.GetString(buffer, 0, n);
                messages.Add(message);
                if (message.Split('\n').Contains(wanted)) return message;
            }
        }

        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir, new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = socketPath,
            ["WATCHDOG_USEC"] = "2000000",
        });
        var ready = await ReceiveUntilAsync("READY=1");
        Assert.Contains($"MAINPID={daemon.Pid}", ready);
        Assert.Contains("STATUS=supervising 1 bot(s)", ready);
        await daemon.WaitForRunningAsync("probe");
        await ReceiveUntilAsync("WATCHDOG=1");
        await ReceiveUntilAsync("WATCHDOG=1");

        var log = Path.Combine(fleet.StateDir, "logs", "probe.log");
        using (var cts = new CancellationTokenSource(TestTimeouts.Event))
        {
            while (!(File.Exists(log) && File.ReadAllText(log).Contains("wd=", StringComparison.Ordinal))) await Task.Delay(100, cts.Token);
        }
        Assert.Contains("wd=none pid=none", File.ReadAllText(log));

        daemon.Signal("TERM");
        await ReceiveUntilAsync("STOPPING=1");
        Assert.Equal(0, await daemon.WaitForExitAsync());
        Assert.DoesNotContain(messages, m => m.Contains("READY=1", StringComparison.Ordinal) && messages.IndexOf(m) > 0);
    }
}
