using Botvisor.Core.Configuration;

namespace Botvisor.Core.Tests.Configuration;

public class DurationParserTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("10s", 10_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData(" 2s ", 2_000)]
    public void Parse_ValidDuration_ReturnsMilliseconds(string text, int expectedMs)
    {
        Assert.True(DurationParser.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), value);
    }

    [Theory]
    [InlineData("10", "no unit")]
    [InlineData("10 sec", "unknown unit")]
    [InlineData("", "empty")]
    [InlineData("s", "not a duration")]
    [InlineData("5d", "unknown unit 'd'")]
    public void Parse_InvalidDuration_ExplainsWhy(string text, string expected)
    {
        Assert.False(DurationParser.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData(90_000, "1m30s")]
    [InlineData(250, "250ms")]
    [InlineData(3_600_000, "1h")]
    public void Format_RoundTrips(int ms, string expected) =>
        Assert.Equal(expected, DurationParser.Format(TimeSpan.FromMilliseconds(ms)));
}
