using Botvisor.Core.Fleet;
using Botvisor.Core.Health;
using Microsoft.Extensions.Time.Testing;

namespace Botvisor.Core.Tests.Health;

/// <summary>The fleet's one check scheduler and a worker's monitors on it, on fake time: no process, no network, no waiting.</summary>
public class MonitorTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Scheduler_RunsWorkInDueOrder_OnOneTimer_AndCancelledWorkNever()
    {
        using var scheduler = new CheckScheduler(_time);
        var ran = new List<string>();
        scheduler.Schedule(TimeSpan.FromSeconds(3), () => ran.Add("c"));
        scheduler.Schedule(TimeSpan.FromSeconds(1), () => ran.Add("a"));
        var cancelled = scheduler.Schedule(TimeSpan.FromSeconds(2), () => ran.Add("b"));
        cancelled.Dispose();
        Assert.Equal(2, scheduler.Pending); // taken out at once: what it holds is not kept until it would have been due

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Empty(ran);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(["a"], ran);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(["a", "c"], ran);
        Assert.Equal(0, scheduler.Pending);
    }

    [Fact]
    public void Scheduler_WorkScheduledFromWork_RunsLater()
    {
        using var scheduler = new CheckScheduler(_time);
        int runs = 0;
        void Again()
        {
            runs++;
            scheduler.Schedule(TimeSpan.FromSeconds(5), Again);
        }
        scheduler.Schedule(TimeSpan.FromSeconds(5), Again);
        for (int i = 0; i < 4; i++) _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(4, runs);
    }

    [Fact]
    public void Scheduler_AfterDispose_RunsNothing()
    {
        var scheduler = new CheckScheduler(_time);
        bool ran = false;
        scheduler.Schedule(TimeSpan.FromSeconds(1), () => ran = true);
        scheduler.Dispose();
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(ran);
        scheduler.Schedule(TimeSpan.Zero, () => ran = true).Dispose();
        Assert.False(ran);
    }

    private sealed class ScriptedProbe(params bool[] results) : IHttpProbe
    {
        private int _next;
        public int Calls => _next;

        public Task<ProbeResult> ProbeAsync(string url, TimeSpan timeout, CancellationToken cancellationToken)
        {
            bool ok = results[Math.Min(_next++, results.Length - 1)];
            return Task.FromResult(new ProbeResult(ok, ok ? "HTTP 200" : "HTTP 500"));
        }
    }

    private sealed class Sink : IMonitorSink
    {
        public List<string> Reports { get; } = [];
        public void Checked(WorkerMonitors from, string check, bool healthy, string message) => Reports.Add($"{check} {(healthy ? "ok" : "bad")}: {message}");
        public void Fault(WorkerMonitors from, string check, string reason) => Reports.Add($"fault {check}: {reason}");
        public void TokenRejected(WorkerMonitors from, string reason, string failReason) => Reports.Add("rejected: " + reason);
    }

    private static BotSpec Probed(int failures) => new()
    {
        Id = "bot",
        Command = ["x"],
        WorkingDirectory = "/",
        HttpProbe = new HttpProbeSettings("http://127.0.0.1:1/healthz", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), failures, TimeSpan.FromSeconds(5)),
    };

    [Fact]
    public void Probe_InitialDelayThenInterval_FailuresInARowAreAFault_ThenNoMoreProbes()
    {
        using var scheduler = new CheckScheduler(_time);
        var probe = new ScriptedProbe(true, false, false, false, false);
        var sink = new Sink();
        using var monitors = new WorkerMonitors(Probed(failures: 3), _time, scheduler, probe, null, sink);
        monitors.Start();

        _time.Advance(TimeSpan.FromSeconds(5)); // initial_delay
        Assert.Equal(["http ok: HTTP 200"], sink.Reports);
        _time.Advance(TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("http bad: HTTP 500 (2 of 3)", sink.Reports[^1]);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("fault http: liveness probe http://127.0.0.1:1/healthz failed 3 times: HTTP 500", sink.Reports[^1]);

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(4, probe.Calls); // the worker is being ended: no probe after the fault
    }

    [Fact]
    public void Probe_ASuccess_ResetsTheCount()
    {
        using var scheduler = new CheckScheduler(_time);
        var sink = new Sink();
        using var monitors = new WorkerMonitors(Probed(failures: 2), _time, scheduler, new ScriptedProbe(false, true, false, true), null, sink);
        monitors.Start();
        for (int i = 0; i < 5; i++) _time.Advance(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(sink.Reports, r => r.StartsWith("fault", StringComparison.Ordinal));
    }

    [Fact]
    public void Monitors_Disposed_ReportNothingMore()
    {
        using var scheduler = new CheckScheduler(_time);
        var sink = new Sink();
        var monitors = new WorkerMonitors(Probed(failures: 1), _time, scheduler, new ScriptedProbe(false), null, sink);
        monitors.Start();
        monitors.Dispose();
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(sink.Reports);
    }
}
