using System.Threading.Channels;
using Botvisor.Core.State;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Storage;

/// <summary>
/// Writes to the store from one background loop, in batches: a fleet of a thousand bots starting
/// at once makes a few transactions, not thousands, and writes that arrive within <see cref="Linger"/>
/// of each other share one. Events are fire-and-forget for the caller;
/// worker records are awaited, because a worker must be on disk before the daemon relies on it.
/// </summary>
/// <remarks>
/// When the store cannot be written (a full disk), nothing is lost at once and nothing waits: the
/// writes are kept and retried with backoff (<see cref="RetryInitial"/> doubling to <see cref="RetryMax"/>),
/// the callers' tasks complete after the attempt, and the outage is logged once when it starts and once
/// when it ends. Memory stays bounded: at most <c>maxPendingEvents</c> events wait (the oldest are dropped
/// and counted beyond that), and the worker records wait as at most one save and one delete per bot (a
/// bot's newer record replaces its older ones, as it does in the store).
/// </remarks>
public sealed partial class StoreWriter : IAsyncDisposable
{
    private const int MaxBatch = 512;

    /// <summary>How many events may wait for a store that cannot be written.</summary>
    public const int DefaultMaxPendingEvents = 10_000;

    /// <summary>How long the loop lets writes gather once the first one arrives.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(5);

    /// <summary>The first retry after a failed write; each further failure doubles it up to <see cref="RetryMax"/>.</summary>
    public static readonly TimeSpan RetryInitial = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan RetryMax = TimeSpan.FromSeconds(30);

    private readonly IFleetStore _store;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly int _maxPendingEvents;
    private readonly Channel<Item> _items = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    // Touched by the loop only.
    private readonly Queue<BotEvent> _pendingEvents = new();
    private readonly List<Item> _pendingWorkers = [];
    private readonly List<TaskCompletionSource> _waiting = [];
    private bool _failing;
    private long _failingSince;
    private long _retryAt;
    private TimeSpan _retryDelay;
    private long _droppedInOutage;
    private long _droppedTotal;

    private abstract record Item;
    private sealed record EventItem(BotEvent Event) : Item;
    private sealed record SaveWorker(WorkerRecord Worker, TaskCompletionSource Done) : Item;
    private sealed record DeleteWorker(WorkerRecord Worker, TaskCompletionSource Done) : Item;
    private sealed record FlushItem(TaskCompletionSource Done) : Item;

    public StoreWriter(IFleetStore store, ILogger<StoreWriter> logger)
        : this(store, logger, TimeProvider.System, DefaultMaxPendingEvents)
    {
    }

    public StoreWriter(IFleetStore store, ILogger<StoreWriter> logger, TimeProvider time)
        : this(store, logger, time, DefaultMaxPendingEvents)
    {
    }

    /// <param name="time">Times the retries (the <see cref="Linger"/> of a batch is real time).</param>
    /// <param name="maxPendingEvents">How many events may wait while the store cannot be written.</param>
    public StoreWriter(IFleetStore store, ILogger<StoreWriter> logger, TimeProvider time, int maxPendingEvents)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPendingEvents, 1);
        _store = store;
        _logger = logger;
        _time = time;
        _maxPendingEvents = maxPendingEvents;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Raised after events are stored, with their ids, in order.</summary>
    public event Action<IReadOnlyList<BotEvent>>? EventsStored;

    /// <summary>True while writes to the store fail and are kept for a retry.</summary>
    public bool Failing => Volatile.Read(ref _failing);

    /// <summary>Events dropped (oldest first) because too many waited for a store that could not be written.</summary>
    public long DroppedEvents => Interlocked.Read(ref _droppedTotal);

    /// <summary>Worker record writes waiting for the store (read by the loop's thread; for tests and diagnostics).</summary>
    public int PendingWorkerRecords => Volatile.Read(ref _pendingWorkerCount);

    private int _pendingWorkerCount;

    public void Record(BotEvent e) => _items.Writer.TryWrite(new EventItem(e));

    public Task SaveWorkerAsync(WorkerRecord worker)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_items.Writer.TryWrite(new SaveWorker(worker, done))) done.TrySetResult();
        return done.Task;
    }

    public Task DeleteWorkerAsync(WorkerRecord worker)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_items.Writer.TryWrite(new DeleteWorker(worker, done))) done.TrySetResult();
        return done.Task;
    }

    /// <summary>
    /// Completes when everything written before it has been tried: it is in the store, or the store
    /// cannot be written now (see <see cref="Failing"/>) and it waits for a retry.
    /// </summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_items.Writer.TryWrite(new FlushItem(done))) done.TrySetResult();
        return done.Task;
    }

    private bool HasPending => _pendingEvents.Count > 0 || _pendingWorkers.Count > 0;

    private async Task LoopAsync()
    {
        var reader = _items.Reader;
        Task<bool>? readable = null;
        bool open = true;
        while (open || HasPending)
        {
            if (open)
            {
                readable ??= reader.WaitToReadAsync().AsTask();
                if (HasPending && !readable.IsCompleted)
                {
                    // Failing: wake for new writes (kept without a try until the retry is due) or for the retry.
                    var wait = TimeSpan.FromTicks(Math.Max(0, _retryAt - _time.GetTimestamp()) * TimeSpan.TicksPerSecond / _time.TimestampFrequency);
                    using var cancel = new CancellationTokenSource();
                    var retry = Task.Delay(wait, _time, cancel.Token);
                    await Task.WhenAny(readable, retry).ConfigureAwait(false);
                    await cancel.CancelAsync().ConfigureAwait(false);
                }
                else
                {
                    await readable.ConfigureAwait(false);
                }
                if (readable.IsCompleted)
                {
                    open = await readable.ConfigureAwait(false);
                    readable = null;
                    // Group commit: what a moment brings (a restart is three state changes and two worker
                    // records) goes in one transaction, and it is written after the restart, not during it.
                    if (open && !_failing) await Task.Delay(Linger).ConfigureAwait(false);
                }
            }

            int taken = 0;
            while (taken < MaxBatch && reader.TryRead(out var item))
            {
                Take(item);
                taken++;
            }

            // While failing, new writes only join the pending ones until the retry is due; at the end, one last try.
            if (!_failing || _time.GetTimestamp() >= _retryAt || !open) await WritePendingAsync().ConfigureAwait(false);
            Volatile.Write(ref _pendingWorkerCount, _pendingWorkers.Count);
            foreach (var done in _waiting) done.TrySetResult();
            _waiting.Clear();

            if (!open && _failing)
            {
                Log.Abandoned(_logger, _pendingEvents.Count, _pendingWorkers.Count, _droppedInOutage);
                _pendingEvents.Clear();
                _pendingWorkers.Clear();
            }
        }
    }

    private void Take(Item item)
    {
        switch (item)
        {
            case EventItem e:
                if (_pendingEvents.Count >= _maxPendingEvents)
                {
                    _pendingEvents.Dequeue();
                    if (_droppedInOutage++ == 0) Log.DroppingEvents(_logger, _maxPendingEvents);
                    Interlocked.Increment(ref _droppedTotal);
                }
                _pendingEvents.Enqueue(e.Event);
                break;
            case SaveWorker s:
                // The store keeps one record per bot and a save replaces it: earlier writes of this bot no longer matter.
                _pendingWorkers.RemoveAll(p => BotOf(p) == s.Worker.BotId);
                _pendingWorkers.Add(s);
                _waiting.Add(s.Done);
                break;
            case DeleteWorker d:
                // A late delete of an older worker, after the save of a newer one, would delete nothing.
                bool newerSaved = _pendingWorkers.Exists(p => p is SaveWorker s && s.Worker.BotId == d.Worker.BotId && s.Worker.Pid != d.Worker.Pid);
                bool already = _pendingWorkers.Exists(p => p is DeleteWorker o && o.Worker == d.Worker);
                if (!newerSaved && !already) _pendingWorkers.Add(d);
                _waiting.Add(d.Done);
                break;
            case FlushItem f:
                _waiting.Add(f.Done);
                break;
        }
    }

    private static string BotOf(Item item) => item switch
    {
        SaveWorker s => s.Worker.BotId,
        DeleteWorker d => d.Worker.BotId,
        _ => "",
    };

    /// <summary>Writes what is pending, worker records first (callers wait for them), then events; stops at the first failure.</summary>
    private async Task WritePendingAsync()
    {
        int written = 0;
        try
        {
            // Runs of one kind keep the order of a bot's save and delete.
            while (_pendingWorkers.Count > 0)
            {
                var kind = _pendingWorkers[0].GetType();
                int n = 0;
                while (n < _pendingWorkers.Count && _pendingWorkers[n].GetType() == kind) n++;
                var run = _pendingWorkers.GetRange(0, n);
                if (kind == typeof(SaveWorker)) await _store.SaveWorkersAsync(run.Select(r => ((SaveWorker)r).Worker).ToList()).ConfigureAwait(false);
                else await _store.DeleteWorkersAsync(run.Select(r => ((DeleteWorker)r).Worker).ToList()).ConfigureAwait(false);
                _pendingWorkers.RemoveRange(0, n);
                written += n;
            }
            while (_pendingEvents.Count > 0)
            {
                var chunk = _pendingEvents.Take(MaxBatch).ToList();
                var stored = await _store.AppendEventsAsync(chunk).ConfigureAwait(false);
                for (int i = 0; i < chunk.Count; i++) _pendingEvents.Dequeue();
                written += chunk.Count;
                try
                {
                    EventsStored?.Invoke(stored);
                }
                catch (Exception ex)
                {
                    Log.SubscriberFailed(_logger, ex);
                }
            }
        }
        catch (Exception ex)
        {
            if (!_failing)
            {
                _failing = true;
                _failingSince = _time.GetTimestamp();
                _retryDelay = RetryInitial;
                Log.Failing(_logger, ex.Message.TrimEnd('.'), _maxPendingEvents, ex is StoreUnavailableException ? null : ex);
            }
            else
            {
                _retryDelay = TimeSpan.FromTicks(Math.Min(_retryDelay.Ticks * 2, RetryMax.Ticks));
            }
            _retryAt = _time.GetTimestamp() + (long)(_retryDelay.TotalSeconds * _time.TimestampFrequency);
            return;
        }

        if (_failing)
        {
            _failing = false;
            long dropped = _droppedInOutage;
            _droppedInOutage = 0;
            Log.Recovered(_logger, _time.GetElapsedTime(_failingSince), written, dropped);
            if (dropped > 0)
            {
                Take(new EventItem(new BotEvent
                {
                    Time = _time.GetUtcNow(),
                    Kind = BotEventKinds.Daemon,
                    Actor = "daemon",
                    Message = $"{dropped} event(s) were dropped while the store could not be written",
                }));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _items.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = Diagnostics.LogEventIds.StoreWritesFailing, Level = LogLevel.Error,
            Message = "Writing to the store fails: {Reason}; events (at most {MaxPending}) and worker records are kept in memory and retried until it works again")]
        public static partial void Failing(ILogger logger, string reason, int maxPending, Exception? exception);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.StoreWritesRecovered, Level = LogLevel.Information,
            Message = "Writing to the store works again after {Duration}: {Written} waiting item(s) written, {Dropped} event(s) dropped")]
        public static partial void Recovered(ILogger logger, TimeSpan duration, int written, long dropped);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.StoreEventsDropped, Level = LogLevel.Warning,
            Message = "{MaxPending} events are waiting for the store; the oldest are dropped (and counted) until it can be written again")]
        public static partial void DroppingEvents(ILogger logger, int maxPending);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.StoreWritesAbandoned, Level = LogLevel.Error,
            Message = "Exiting while the store cannot be written: {Events} event(s) and {Workers} worker record(s) were not written, {Dropped} event(s) had been dropped")]
        public static partial void Abandoned(ILogger logger, int events, int workers, long dropped);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.StoreSubscriberFailed, Level = LogLevel.Error, Message = "A subscriber of stored events failed")]
        public static partial void SubscriberFailed(ILogger logger, Exception exception);
    }
}
