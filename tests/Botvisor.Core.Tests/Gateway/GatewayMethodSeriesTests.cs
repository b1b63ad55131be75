using Botvisor.Core.Diagnostics;
using Botvisor.Core.Gateway;

namespace Botvisor.Core.Tests.Gateway;

public class GatewayMethodSeriesTests
{
    private static MethodStats M(string method, long calls) => new(method, calls, calls / 2, 0, TimeSpan.FromMilliseconds(calls));

    [Fact]
    public void Bound_WithinTheCap_IsEverySeries()
    {
        var series = GatewayMethodSeries.Bound([("b", [M("getUpdates", 3)]), ("a", [M("getMe", 1), M("sendMessage", 2)])], cap: 3, out int folded);
        Assert.Equal(0, folded);
        Assert.Equal([("a", "getMe"), ("a", "sendMessage"), ("b", "getUpdates")], series.Select(s => (s.BotId, s.Stats.Method)));
    }

    [Fact]
    public void Bound_BeyondTheCap_FoldsWholeBots_PerMethod_UnderOther_AndSaysHowMany()
    {
        (string, IReadOnlyList<MethodStats>)[] bots =
        [
            ("a", [M("getMe", 1), M("getUpdates", 10)]),
            ("b", [M("getUpdates", 20), M("sendMessage", 4)]),
            ("c", [M("getUpdates", 30)]),
            ("d", [M("other", 7)]),
        ];
        var series = GatewayMethodSeries.Bound(bots, cap: 3, out int folded);
        Assert.Equal(4, folded); // b's two, then c's and d's (once one bot is folded, every later one is: the same bots keep their series)
        Assert.Equal(
            [("a", "getMe", 1L), ("a", "getUpdates", 10L), ("_other", "getUpdates", 50L), ("_other", "other", 7L), ("_other", "sendMessage", 4L)],
            series.Select(s => (s.BotId, s.Stats.Method, s.Stats.Calls)));
        Assert.Equal(25, series.Single(s => s.BotId == "_other" && s.Stats.Method == "getUpdates").Stats.Errors);
        Assert.Equal(TimeSpan.FromMilliseconds(50), series.Single(s => s.BotId == "_other" && s.Stats.Method == "getUpdates").Stats.Time);
    }

    [Fact]
    public void Bound_OfAThousandBots_StaysUnderAMetricStreamsTwoThousandPoints()
    {
        var everyMethod = new[] { "getMe", "getUpdates", "sendMessage", "getFile", "file", "sendDocument", "other" };
        var bots = Enumerable.Range(0, 1000).Select(i => ($"bot{i:0000}", (IReadOnlyList<MethodStats>)everyMethod.Select(m => M(m, 1)).ToList()));
        var series = GatewayMethodSeries.Bound(bots, GatewayMethodSeries.Cap, out int folded);
        Assert.True(series.Count < 2000, $"{series.Count} series");
        Assert.Equal(7000, series.Count(s => s.BotId != GatewayMethodSeries.OtherBots) + folded);
        Assert.Equal(7000, series.Sum(s => s.Stats.Calls));
    }
}
