using System.Net;
using System.Net.Sockets;
using Botvisor.Core.Fleet;
using Botvisor.Core.State;
using Botvisor.Core.Supervision;
using Botvisor.Testing;

namespace Botvisor.Core.Tests.Health;

/// <summary>HTTP liveness probes against a real worker's server, and resource sampling of real workers.</summary>
[Collection(RealProcesses.Name)]
public class ProbeAndResourceTests : IAsyncLifetime
{
    private readonly SupervisorHarness _h = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [Fact]
    public async Task HttpProbeStartsFailing_BotIsRestartedAfterTheThreshold_WithTheLastError()
    {
        int port = FreePort();
        var url = $"http://127.0.0.1:{port}/healthz";
        await _h.ApplyAsync(_h.Python("web", $$"""
            import http.server
            served = 0
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    global served
                    served += 1
                    self.send_response(200 if served <= 3 else 500)
                    self.end_headers()
                def log_message(self, *args):
                    pass
            http.server.HTTPServer(("127.0.0.1", {{port}}), H).serve_forever()
            """) with
        {
            HttpProbe = new HttpProbeSettings(url, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), 3, TimeSpan.FromMilliseconds(300)),
            Backoff = new BackoffSettings(TimeSpan.FromSeconds(5), 2, TimeSpan.FromSeconds(5), 0),
        });

        var healthy = await _h.WaitForAsync("web", s => s.Checks.TryGetValue("http", out var c) && c.Healthy);
        Assert.Equal(HealthVerdict.Healthy, healthy.Health);
        // On a loaded machine Python may start listening after three probes were refused: that restart
        // is the same rule with another last error; the one this test is about says HTTP 500.
        var backoff = await _h.WaitForAsync("web", s => s.State == BotLifecycleState.Backoff && s.Reason.Contains("HTTP 500", StringComparison.Ordinal));
        Assert.StartsWith($"liveness probe {url} failed 3 times: HTTP 500", backoff.Reason);
        Assert.Equal(HealthVerdict.Unhealthy, backoff.Health);
    }

    [Fact]
    public async Task MemoryMax_Watched_BotAboveTheLimitIsRestartedWithTheReason()
    {
        _h.Sampler.Start(TimeSpan.FromMilliseconds(100));
        await _h.ApplyAsync(_h.Python("leaky", "buf = bytearray(120 * 1024 * 1024); print('allocated', flush=True); time.sleep(1000)") with
        {
            MemoryMax = 48L * 1024 * 1024,
            Backoff = new BackoffSettings(TimeSpan.FromSeconds(5), 2, TimeSpan.FromSeconds(5), 0),
        });

        var backoff = await _h.WaitForStateAsync("leaky", BotLifecycleState.Backoff);
        // This machine's enforcement is the watched limit (Botvisor does not manage cgroups): the sampler restarted it.
        Assert.Matches(@"^memory limit 48 MiB exceeded \(RSS \d+(\.\d)? MiB\)", backoff.Reason);
        Assert.Equal(ExitStatus.Killed(Signals.SIGTERM), backoff.LastExit);
    }

    [Fact]
    public async Task TwoHundredProbedBots_DoNotCostAThreadEach()
    {
        int port = FreePort();
        await _h.ApplyAsync(_h.Python("server", $$"""
            import http.server
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(204)
                    self.end_headers()
                def log_message(self, *args):
                    pass
            http.server.ThreadingHTTPServer(("127.0.0.1", {{port}}), H).serve_forever()
            """));
        await _h.WaitForStateAsync("server", BotLifecycleState.Running);
        var probe = new HttpProbeSettings($"http://127.0.0.1:{port}/", TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), 1000, TimeSpan.Zero);
        var bots = Enumerable.Range(0, 200).Select(i => _h.Shell($"probed-{i:D3}", "sleep 1000") with { HttpProbe = probe }).ToList();
        await _h.ApplyAsync([_h.State.Get("server") is null ? bots[0] : _h.Reconciler.Find("server")!.Spec, .. bots]);

        foreach (var b in bots)
        {
            await _h.WaitForAsync(b.Id, s => s.Checks.TryGetValue("http", out var c) && c.Healthy);
        }
        int threads = int.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("Threads:", StringComparison.Ordinal))[8..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(threads < 120, $"{threads} threads for 200 probed bots");
    }

    [Fact]
    public async Task Sampler_RssAndCpuMatchProc()
    {
        await _h.ApplyAsync(
            _h.Python("fat", "buf = bytearray(64 * 1024 * 1024); print('ready', flush=True); time.sleep(1000)"),
            _h.Python("busy", "print('ready', flush=True)\nwhile True: pass"));
        await _h.WaitForOutputAsync("fat", t => t == "ready");
        await _h.WaitForOutputAsync("busy", t => t == "ready");

        // CPU is a rate: two samples some time apart. What the busy worker gets depends on how loaded the machine
        // is, so the sampler's figure is checked against the kernel's own count over the same interval.
        int busyPid = _h.State.Get("busy")!.Pid!.Value;
        static ulong Ticks(int pid) => ProcStat.Read(pid) is { } s ? s.UserTicks + s.SystemTicks : 0;
        ulong ticks0 = Ticks(busyPid);
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        _h.Sampler.Sample();
        await Task.Delay(1000);
        _h.Sampler.Sample();
        ulong ticks1 = Ticks(busyPid);
        double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        double kernelPercent = (ticks1 - ticks0) / 100.0 / seconds * 100; // USER_HZ is 100 on Linux

        int fatPid = _h.State.Get("fat")!.Pid!.Value;
        long procRss = ProcStat.Read(fatPid)!.Value.RssPages * Environment.SystemPageSize;
        var fat = _h.Sampler.Get("fat")!;
        Assert.InRange(fat.RssBytes, procRss * 0.9, procRss * 1.1);
        Assert.InRange(fat.RssBytes, 64L * 1024 * 1024, 200L * 1024 * 1024);
        Assert.Equal(1, fat.Processes);

        var busy = _h.Sampler.Get("busy")!;
        Assert.True(busy.CpuPercent > 0, "a busy worker uses some CPU");
        Assert.InRange(busy.CpuPercent, kernelPercent * 0.5 - 5, kernelPercent * 1.5 + 5);
        Assert.InRange(fat.CpuPercent, 0, 10);
    }
}
