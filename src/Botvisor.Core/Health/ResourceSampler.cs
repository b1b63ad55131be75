using System.Collections.Concurrent;
using System.Globalization;
using Botvisor.Core.Reconciliation;
using Botvisor.Core.Supervision;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Health;

/// <summary>
/// Samples RSS and CPU of every worker's session in one pass over /proc per tick (one timer for the
/// fleet, not one per bot), and restarts a bot whose RSS stays above its <c>memory_max</c> for two
/// samples in a row ("watched" enforcement, where the bot has no cgroup with a memory controller;
/// where it has one, the kernel enforces memory.max and this only reports).
/// </summary>
public sealed partial class ResourceSampler : IDisposable
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(15);
    private const double ClockTicksPerSecond = 100; // sysconf(_SC_CLK_TCK) on Linux
    private const int StrikesBeforeRestart = 2;

    private readonly FleetReconciler _reconciler;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ResourceUsage> _usage = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Session, ulong Ticks, long Timestamp)> _previous = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _strikes = new(StringComparer.Ordinal);
    private readonly object _tickGate = new();
    private readonly ProcScan _scan = new();
    private readonly Dictionary<int, BotSupervisor> _bySession = new();
    private readonly Dictionary<int, (long Pages, ulong Ticks, int Count)> _totals = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<string> _gone = [];
    private readonly Func<int, bool> _isTracked;
    private readonly Action<ProcStat> _addToTotals;
    private bool _disposed;
    private ITimer? _timer;

    public ResourceSampler(FleetReconciler reconciler, TimeProvider time, ILogger<ResourceSampler> logger)
    {
        _reconciler = reconciler;
        _time = time;
        _logger = logger;
        _isTracked = _bySession.ContainsKey;
        _addToTotals = AddToTotals;
    }

    public void Start(TimeSpan interval)
    {
        _timer?.Dispose();
        _timer = _time.CreateTimer(static s => ((ResourceSampler)s!).Sample(), this, interval, interval);
    }

    public ResourceUsage? Get(string botId) => _usage.GetValueOrDefault(botId);

    /// <summary>One pass: read every /proc/PID/stat once (see <see cref="ProcScan"/>), add each process to the bot whose session it is in.</summary>
    public void Sample()
    {
        lock (_tickGate)
        {
            if (_disposed) return;
            // The pass's collections are kept and cleared, not rebuilt: an idle daemon's garbage is mostly this.
            var bySession = _bySession;
            var totals = _totals;
            bySession.Clear();
            totals.Clear();
            foreach (var sup in _reconciler.Supervisors)
            {
                if (sup.WorkerPid is { } pid) bySession[pid] = sup;
            }
            if (bySession.Count > 0) _scan.Scan(_isTracked, _addToTotals);

            var now = _time.GetUtcNow();
            long timestamp = _time.GetTimestamp();
            _seen.Clear();
            foreach (var (session, sup) in bySession)
            {
                var (pages, ticks, count) = totals.GetValueOrDefault(session);
                long rss = pages * Environment.SystemPageSize;
                double cpu = 0;
                if (_previous.TryGetValue(sup.Id, out var prev) && prev.Session == session && ticks >= prev.Ticks)
                {
                    var elapsed = _time.GetElapsedTime(prev.Timestamp, timestamp).TotalSeconds;
                    if (elapsed > 0) cpu = Math.Round((ticks - prev.Ticks) / ClockTicksPerSecond / elapsed * 100, 1);
                }
                _previous[sup.Id] = (session, ticks, timestamp);
                _usage[sup.Id] = new ResourceUsage(rss, cpu, count, now);
                _seen.Add(sup.Id);
                CheckMemory(sup, rss);
            }
            _gone.Clear();
            foreach (var (id, _) in _usage)
            {
                if (!_seen.Contains(id)) _gone.Add(id);
            }
            foreach (var gone in _gone)
            {
                _usage.TryRemove(gone, out _);
                _previous.Remove(gone);
                _strikes.Remove(gone);
            }
        }
    }

    private void AddToTotals(ProcStat stat)
    {
        var t = _totals.GetValueOrDefault(stat.Session);
        _totals[stat.Session] = (t.Pages + stat.RssPages, t.Ticks + stat.UserTicks + stat.SystemTicks, t.Count + 1);
    }

    private void CheckMemory(BotSupervisor sup, long rss)
    {
        if (sup.Spec.MemoryMax is not { } max || rss <= max || sup.Limits.Memory == LimitEnforcement.Cgroup)
        {
            _strikes.Remove(sup.Id);
            return;
        }
        int strikes = _strikes.GetValueOrDefault(sup.Id) + 1;
        _strikes[sup.Id] = strikes;
        if (strikes < StrikesBeforeRestart) return;
        _strikes.Remove(sup.Id);
        var reason = $"memory limit {Mib(max)} exceeded (RSS {Mib(rss)})";
        Log.MemoryLimit(_logger, sup.Id, reason);
        sup.ReportResourceLimit(reason);
    }

    public static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB");

    public void Dispose()
    {
        _timer?.Dispose();
        lock (_tickGate)
        {
            _disposed = true;
            _scan.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = Diagnostics.LogEventIds.ResourceLimit, Level = LogLevel.Warning, Message = "Bot {BotId}: {Reason}; restarting it")]
        public static partial void MemoryLimit(ILogger logger, string botId, string reason);
    }
}
