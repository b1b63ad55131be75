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
public sealed partial class StoreWriter : IAsyncDisposable
{
    private const int MaxBatch = 512;

    /// <summary>How long the loop lets writes gather once the first one arrives.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(5);
    private readonly IFleetStore _store;
    private readonly ILogger _logger;
    private readonly Channel<Item> _items = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    private abstract record Item;
    private sealed record EventItem(BotEvent Event) : Item;
    private sealed record SaveWorker(WorkerRecord Worker, TaskCompletionSource Done) : Item;
    private sealed record DeleteWorker(WorkerRecord Worker, TaskCompletionSource Done) : Item;
    private sealed record FlushItem(TaskCompletionSource Done) : Item;

    public StoreWriter(IFleetStore store, ILogger<StoreWriter> logger)
    {
        _store = store;
        _logger = logger;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Raised after events are stored, with their ids, in order.</summary>
    public event Action<IReadOnlyList<BotEvent>>? EventsStored;

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

    /// <summary>Completes when everything written before it is in the store.</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_items.Writer.TryWrite(new FlushItem(done))) done.TrySetResult();
        return done.Task;
    }

    private async Task LoopAsync()
    {
        var batch = new List<Item>(MaxBatch);
        while (await _items.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Group commit: what a moment brings (a restart is three state changes and two worker
            // records) goes in one transaction, and it is written after the restart, not during it.
            await Task.Delay(Linger).ConfigureAwait(false);
            batch.Clear();
            while (batch.Count < MaxBatch && _items.Reader.TryRead(out var item)) batch.Add(item);
            await WriteAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task WriteAsync(List<Item> batch)
    {
        // Keep the order of operations on worker records (save then delete of one bot) by writing runs of one kind.
        int i = 0;
        while (i < batch.Count)
        {
            var kind = batch[i].GetType();
            int j = i;
            while (j < batch.Count && batch[j].GetType() == kind) j++;
            var run = batch.GetRange(i, j - i);
            try
            {
                switch (batch[i])
                {
                    case EventItem:
                        var stored = await _store.AppendEventsAsync(run.Cast<EventItem>().Select(e => e.Event).ToList()).ConfigureAwait(false);
                        EventsStored?.Invoke(stored);
                        break;
                    case SaveWorker:
                        await _store.SaveWorkersAsync(run.Cast<SaveWorker>().Select(w => w.Worker).ToList()).ConfigureAwait(false);
                        break;
                    case DeleteWorker:
                        await _store.DeleteWorkersAsync(run.Cast<DeleteWorker>().Select(w => w.Worker).ToList()).ConfigureAwait(false);
                        break;
                }
            }
            catch (Exception ex)
            {
                Log.WriteFailed(_logger, run.Count, ex);
            }
            foreach (var item in run)
            {
                switch (item)
                {
                    case SaveWorker s: s.Done.TrySetResult(); break;
                    case DeleteWorker d: d.Done.TrySetResult(); break;
                    case FlushItem f: f.Done.TrySetResult(); break;
                }
            }
            i = j;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _items.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = Diagnostics.LogEventIds.StoreWriteFailed, Level = LogLevel.Error, Message = "Writing {Count} items to the store failed")]
        public static partial void WriteFailed(ILogger logger, int count, Exception exception);
    }
}
