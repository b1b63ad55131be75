using Botvisor.Core.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Botvisor.Api.Endpoints;

/// <summary>
/// <c>/metrics</c>: Prometheus text from OpenTelemetry's exporter. The metrics pipeline is built at the
/// first scrape, not at start: every metric stream preallocates room for its cardinality limit (the
/// per-bot ones 2,000 points each, 1.7 MB together), which a daemon nobody scrapes should not hold. Nothing
/// is lost by waiting: Botvisor's instruments are observable (read from the bots' snapshots at each
/// scrape), and so are the runtime's; only ASP.NET Core's request metrics count from the first scrape on.
/// </summary>
internal sealed class MetricsEndpoint(IServiceProvider services) : IDisposable
{
    public const string Path = "/metrics";

    private readonly object _gate = new();
    private MeterProvider? _provider;
    private RequestDelegate? _pipeline;
    private bool _disposed;

    public static void Map(WebApplication app)
    {
        var endpoint = app.Services.GetRequiredService<MetricsEndpoint>();
        app.Map(Path, context => endpoint.Pipeline().Invoke(context));
    }

    private RequestDelegate Pipeline()
    {
        if (Volatile.Read(ref _pipeline) is { } pipeline) return pipeline;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_pipeline is not null) return _pipeline;
            _provider = Sdk.CreateMeterProviderBuilder()
                .AddMeter(BotvisorMetrics.MeterName)
                .AddMeter("Microsoft.AspNetCore.Hosting")
                .AddMeter("System.Runtime") // the runtime's own: GC heap, working set, thread pool, CPU time
                // Each metric stream preallocates room for its cardinality limit (2,000 points by default, on
                // the large object heap). Only the per-bot metrics need that many; the others have a handful.
                .AddView(i => i.Meter.Name == BotvisorMetrics.MeterName ? null : new MetricStreamConfiguration { CardinalityLimit = 64 })
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0)
                .Build();
            var branch = new ApplicationBuilder(services);
            branch.UseOpenTelemetryPrometheusScrapingEndpoint(_provider, predicate: _ => true, path: null, configureBranchedPipeline: null, optionsName: null);
            Volatile.Write(ref _pipeline, branch.Build());
            return _pipeline!;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _provider?.Dispose();
            _provider = null;
        }
    }
}
