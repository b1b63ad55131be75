using System.Threading.Channels;
using Botvisor.Core.Fleet;
using Botvisor.Core.State;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Storage;

/// <summary>
/// Keeps the event log within its <see cref="EventRetention"/>: a background loop deletes what is past the
/// age or the count, in batches of <see cref="BatchSize"/> (each its own short transaction, so the store
/// writer gets its turn between them). It runs at start, every <see cref="Interval"/>, and whenever
/// <see cref="Threshold"/> events were stored since the last run (a fleet in a restart storm writes
/// thousands a minute). Nothing of it runs on a supervisor's path: the writer's notification only counts.
/// </summary>
public sealed partial class EventPruner : IAsyncDisposable
{
    /// <summary>How often the pruner runs when few events are written.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(5);

    public const int BatchSize = 1000;

    private readonly IFleetStore _store;
    private readonly StoreWriter _writer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private ITimer? _timer;
    private Task _loop = Task.CompletedTask;
    private long _sinceLastRun;
    private bool _failureReported;

    public EventPruner(IFleetStore store, StoreWriter writer, EventRetention retention, TimeProvider time, ILogger<EventPruner> logger, TimeSpan? interval = null)
    {
        _store = store;
        _writer = writer;
        Retention = retention;
        _time = time;
        _logger = logger;
        Interval = interval ?? DefaultInterval;
        // A tenth of what is kept, between 1,000 and 10,000: the table exceeds its count by at most that much.
        Threshold = Math.Clamp(retention.MaxCount / 10, 1000, 10_000);
    }

    public EventRetention Retention { get; }
    public TimeSpan Interval { get; }
    public long Threshold { get; }

    /// <summary>Runs that finished (for tests and diagnostics).</summary>
    public int Runs => Volatile.Read(ref _runs);

    private int _runs;

    /// <summary>Prunes once now, then in the background from here on.</summary>
    public void Start()
    {
        _writer.EventsStored += OnStored;
        _timer = _time.CreateTimer(_ => Wake(), null, Interval, Interval);
        _loop = Task.Run(LoopAsync);
        Wake();
    }

    private void OnStored(IReadOnlyList<BotEvent> events)
    {
        if (Interlocked.Add(ref _sinceLastRun, events.Count) >= Threshold) Wake();
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    private async Task LoopAsync()
    {
        try
        {
            await foreach (var _ in _wake.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                Interlocked.Exchange(ref _sinceLastRun, 0);
                await PruneAsync(_stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _runs);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        long total = 0;
        try
        {
            int deleted;
            do
            {
                var cutoff = Retention.Cutoff(_time.GetUtcNow());
                deleted = await _store.PruneEventsAsync(cutoff, Retention.MaxCount, BatchSize, cancellationToken).ConfigureAwait(false);
                total += deleted;
                if (deleted == BatchSize) await Task.Yield(); // let the writer in between batches
            }
            while (deleted == BatchSize && !cancellationToken.IsCancellationRequested);
            _failureReported = false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // A full disk can fail a delete too; the next run tries again.
            if (!_failureReported) Log.PruneFailed(_logger, ex.Message);
            _failureReported = true;
        }
        if (total > 0) Log.Pruned(_logger, total, DurationText(Retention.MaxAge), Retention.MaxCount);
    }

    private static string DurationText(TimeSpan age) =>
        age.TotalDays >= 1 && age.Ticks % TimeSpan.TicksPerDay == 0 ? $"{(long)age.TotalDays}d" : Configuration.DurationParser.Format(age);

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _writer.EventsStored -= OnStored;
        _timer?.Dispose();
        _wake.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = Diagnostics.LogEventIds.EventsPruned, Level = LogLevel.Debug, Message = "Event log pruned: {Count} event(s) older than {MaxAge} or beyond the newest {MaxCount} deleted")]
        public static partial void Pruned(ILogger logger, long count, string maxAge, long maxCount);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.EventsPruneFailed, Level = LogLevel.Warning, Message = "Pruning the event log failed ({Reason}); it is tried again at the next run")]
        public static partial void PruneFailed(ILogger logger, string reason);
    }
}
