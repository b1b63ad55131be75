using System.Globalization;
using System.Text.RegularExpressions;

namespace Botvisor.IntegrationTests.Api;

/// <summary>A strict-enough parser of the Prometheus text format: every non-comment line must be a valid sample.</summary>
internal sealed partial class Prometheus
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public List<Sample> Samples { get; } = [];

    [GeneratedRegex("""^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? ([^ ]+)( [0-9]+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?""")]
    private static partial Regex Label();

    public static Prometheus Parse(string text)
    {
        var result = new Prometheus();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var m = SampleLine().Match(line);
            Assert.True(m.Success, $"not a Prometheus sample line: {line}");
            var labels = Label().Matches(m.Groups[3].Value).ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value);
            var value = m.Groups[4].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                var v => double.Parse(v, CultureInfo.InvariantCulture),
            };
            result.Samples.Add(new Sample(m.Groups[1].Value, labels, value));
        }
        return result;
    }

    public double Value(string name, params (string Key, string Value)[] labels)
    {
        var sample = Samples.FirstOrDefault(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value));
        Assert.True(sample is not null, $"no sample {name} with {string.Join(",", labels)}");
        return sample.Value;
    }
}
