using System.Diagnostics.Metrics;
using Botvisor.Core.Sources.Remote;

namespace Botvisor.Core.Diagnostics;

/// <summary>
/// Remote sources' instruments (on the <c>Botvisor</c> meter, like <see cref="BotvisorMetrics"/>): observable,
/// read from the sources' status at collection, tagged <c>source</c>. No URL or header is ever a tag.
/// </summary>
public static class SourceMetrics
{
    private static readonly Meter Meter = new(BotvisorMetrics.MeterName, typeof(SourceMetrics).Assembly.GetName().Version?.ToString());
    private static volatile Func<IReadOnlyList<RemoteSourceStatus>>? _sources;

    static SourceMetrics()
    {
        Meter.CreateObservableGauge("botvisor.source.up", () => Each(s => s.Health == "ok" ? 1 : 0), unit: "{source}",
            description: "1 when the source's last fetch was taken in, 0 while it fails (its last good list keeps running)");
        Meter.CreateObservableGauge("botvisor.source.bots", () => Each(s => s.Bots), unit: "{bot}",
            description: "Bots the source runs (its accepted list, plus any whose removal is held)");
        Meter.CreateObservableGauge("botvisor.source.generation", () => Each(s => s.Generation), unit: "{generation}",
            description: "Grows with every accepted change of the source's list");
        Meter.CreateObservableGauge("botvisor.source.rejected", () => Each(s => s.Rejected.Count), unit: "{entry}",
            description: "Entries of the last fetch rejected alone (no or malformed token, bad id, a token another bot has, an invalid definition)");
        Meter.CreateObservableGauge("botvisor.source.held_removal", () => Each(s => s.HeldRemoval?.Ids.Count ?? 0), unit: "{bot}",
            description: "Bots missing from the list whose removal the brake holds");
        Meter.CreateObservableGauge("botvisor.source.consecutive_failures", () => Each(s => s.ConsecutiveFailures), unit: "{fetch}",
            description: "Failed fetches in a row (0 when the last one worked)");
        Meter.CreateObservableCounter("botvisor.source.fetches", ObserveFetches, unit: "{fetch}",
            description: "Fetches since the daemon started, by result: ok (taken in), not_modified (304, counted in ok too), failed");
    }

    public static void Observe(Func<IReadOnlyList<RemoteSourceStatus>> sources) => _sources = sources;

    private static IEnumerable<Measurement<long>> Each(Func<RemoteSourceStatus, long> value) =>
        (_sources?.Invoke() ?? []).Select(s => new Measurement<long>(value(s), new KeyValuePair<string, object?>("source", s.Name)));

    private static IEnumerable<Measurement<long>> ObserveFetches()
    {
        foreach (var s in _sources?.Invoke() ?? [])
        {
            yield return new Measurement<long>(s.Fetches, new("source", s.Name), new("result", "ok"));
            yield return new Measurement<long>(s.NotModified, new("source", s.Name), new("result", "not_modified"));
            yield return new Measurement<long>(s.FailedFetches, new("source", s.Name), new("result", "failed"));
        }
    }
}
