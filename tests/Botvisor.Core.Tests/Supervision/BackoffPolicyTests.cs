using Botvisor.Core.Fleet;
using Botvisor.Core.Supervision;

namespace Botvisor.Core.Tests.Supervision;

public class BackoffPolicyTests
{
    private static readonly BackoffSettings Settings = new(TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(30), 0.2);

    [Theory]
    [InlineData(1, 1_000)]
    [InlineData(2, 2_000)]
    [InlineData(3, 4_000)]
    [InlineData(5, 16_000)]
    [InlineData(6, 30_000)]
    [InlineData(50, 30_000)]
    public void Delay_WithoutJitter_GrowsExponentiallyUpToTheCap(int attempt, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), BackoffPolicy.Delay(Settings with { Jitter = 0 }, attempt, 0.73));

    [Fact]
    public void Backoff_AfterThirdCrash_WaitsFourSecondsWithinTheJitterBand()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(3_200), BackoffPolicy.Delay(Settings, 3, 0.0));
        Assert.Equal(TimeSpan.FromMilliseconds(4_000), BackoffPolicy.Delay(Settings, 3, 0.5));
        Assert.Equal(4_800, BackoffPolicy.Delay(Settings, 3, 0.9999999).TotalMilliseconds, 0.01);
        var random = new Random(42);
        for (int i = 0; i < 1000; i++)
        {
            var d = BackoffPolicy.Delay(Settings, 3, random.NextDouble());
            Assert.InRange(d.TotalMilliseconds, 3_200, 4_800);
        }
    }
}
