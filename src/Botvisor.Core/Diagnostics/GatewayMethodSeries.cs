using Botvisor.Core.Gateway;

namespace Botvisor.Core.Diagnostics;

/// <summary>
/// The per-bot, per-method series of the gateway's metrics, bounded: a metric stream keeps at most 2,000
/// points, and 1,000 bots calling a handful of methods each would pass that. Bots are taken in the order of
/// their ids, each with all its methods, while the series stay within the cap; the methods of the bots
/// after that are summed per method under the bot id <see cref="OtherBots"/> (which no bot id can be), and
/// how many series were folded so is told by <c>botvisor_gateway_method_series_folded</c>.
/// </summary>
public static class GatewayMethodSeries
{
    /// <summary>Below the 2,000 points of a metric stream, with room for the folded series (one per method at most).</summary>
    public const int Cap = 1500;

    public const string OtherBots = "_other";

    public static IReadOnlyList<(string BotId, MethodStats Stats)> Bound(IEnumerable<(string BotId, IReadOnlyList<MethodStats> Methods)> bots, int cap, out int folded)
    {
        var series = new List<(string, MethodStats)>();
        var rest = new Dictionary<string, MethodStats>(StringComparer.Ordinal);
        folded = 0;
        foreach (var (botId, methods) in bots.OrderBy(b => b.BotId, StringComparer.Ordinal))
        {
            if (rest.Count == 0 && series.Count + methods.Count <= cap)
            {
                series.AddRange(methods.Select(m => (botId, m)));
                continue;
            }
            folded += methods.Count;
            foreach (var m in methods)
            {
                rest[m.Method] = rest.TryGetValue(m.Method, out var sum)
                    ? sum with { Calls = sum.Calls + m.Calls, Errors = sum.Errors + m.Errors, RateLimited = sum.RateLimited + m.RateLimited, Time = sum.Time + m.Time }
                    : m;
            }
        }
        series.AddRange(rest.Values.OrderBy(m => m.Method, StringComparer.Ordinal).Select(m => (OtherBots, m)));
        return series;
    }
}
