using Botvisor.Core.Fleet;
using Botvisor.Core.Gateway;
using Botvisor.Core.Health;
using Microsoft.Extensions.Time.Testing;

namespace Botvisor.Core.Tests.Gateway;

public class PollGapTests
{
    private static readonly TimeSpan Gap = TimeSpan.FromMinutes(2);

    [Fact]
    public void Check_WithAPollInFlight_IsPolling_HoweverLongAgoItStarted()
    {
        var (stopped, again) = PollGap.Check(TimeSpan.FromMinutes(10), inFlight: true, Gap);
        Assert.Null(stopped);
        Assert.Equal(Gap, again);
    }

    [Fact]
    public void Check_BeforeTheGap_LooksAgainWhenItWouldBeReached()
    {
        var (stopped, again) = PollGap.Check(TimeSpan.FromSeconds(30), inFlight: false, Gap);
        Assert.Null(stopped);
        Assert.Equal(TimeSpan.FromSeconds(90), again);
    }

    [Fact]
    public void Check_AtTheGap_SaysPollingStopped_WithTheSetting()
    {
        var (stopped, _) = PollGap.Check(TimeSpan.FromSeconds(120.4), inFlight: false, Gap);
        Assert.Equal("polling stopped: no getUpdates through the gateway for 2m (liveness.max_poll_gap 2m); the process was alive", stopped);
    }

    [Fact]
    public void Watch_ReportsOnce_WhenARunStopsPolling_NotWhileItPolls()
    {
        var time = new FakeTimeProvider();
        using var checks = new CheckScheduler(time);
        var registry = new GatewayRegistry(time);
        var run = registry.Issue(new BotSpec { Id = "echo", Command = ["x"], WorkingDirectory = "/", Token = new BotToken("123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq"), Gateway = true, MaxPollGap = Gap });
        var reports = new List<string>();
        using var watch = new LivenessWatch(run, Gap, checks, null, time, reports.Add);

        time.Advance(TimeSpan.FromSeconds(60));
        run.PollStarted();
        time.Advance(TimeSpan.FromMinutes(5)); // one long poll, still in flight: polling
        Assert.Empty(reports);
        run.PollEnded();
        time.Advance(TimeSpan.FromSeconds(119));
        Assert.Empty(reports);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(reports);
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Single(reports);
    }

    [Fact]
    public void Watch_OfARunThatNeverPolls_ReportsAfterTheGap()
    {
        var time = new FakeTimeProvider();
        using var checks = new CheckScheduler(time);
        var run = new GatewayRegistry(time).Issue(new BotSpec { Id = "echo", Command = ["x"], WorkingDirectory = "/", Token = new BotToken("123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq") });
        var reports = new List<string>();
        using var watch = new LivenessWatch(run, Gap, checks, null, time, reports.Add);
        time.Advance(Gap);
        Assert.Single(reports);
    }
}
