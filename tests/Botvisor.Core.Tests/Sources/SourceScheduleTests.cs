using Botvisor.Core.Sources.Remote;

namespace Botvisor.Core.Tests.Sources;

public class SourceScheduleTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static SourceOutcome Outcome(bool ok, int failures = 0, bool stale = false) =>
        new(ok, "r", new RemoteSourceStatus { Name = "s", Url = "u", Interval = Minute, Health = ok ? "ok" : "failing", ConsecutiveFailures = failures }) { Stale = stale };

    [Theory]
    [InlineData(0.0, 54)]
    [InlineData(0.5, 60)]
    [InlineData(0.999999, 66)]
    public void AfterAFetchThatWorked_TheIntervalWithinTenPercent(double random, double seconds) =>
        Assert.Equal(seconds, SourceSchedule.Next(Outcome(true), Minute, random).TotalSeconds, 2);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(6, 32)]
    [InlineData(7, 60)]      // capped at the interval
    [InlineData(1000, 60)]
    public void AfterFailures_BackoffFromOneSecond_AtMostTheInterval(int failures, double seconds) =>
        Assert.Equal(seconds, SourceSchedule.Next(Outcome(false, failures), Minute, 0.5).TotalSeconds, 2);

    [Fact]
    public void AStaleFetch_IsFetchedAgainAtOnce() =>
        Assert.Equal(TimeSpan.Zero, SourceSchedule.Next(Outcome(true, stale: true), Minute, 0.3));

    [Fact]
    public void ATinyInterval_StillBacksOffAtLeastASecond() =>
        Assert.Equal(1, SourceSchedule.Next(Outcome(false, 5), TimeSpan.FromMilliseconds(10), 0.5).TotalSeconds, 2);
}
