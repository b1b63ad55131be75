using Botvisor.Core.Diagnostics;
using Botvisor.Core.State;
using Botvisor.Core.Storage;
using Botvisor.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Botvisor.Core.Tests.Storage;

/// <summary>
/// The store writer against a store whose writes fail as on a full disk (a fault-injecting wrapper
/// around the in-memory store; StateResilienceTests does the same with a real full tmpfs). Retries
/// are timed with a FakeTimeProvider.
/// </summary>
public class StoreWriterOutageTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);
    private readonly FailingStore _store = new();
    private readonly ListLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;
    private StoreWriter _writer;

    public StoreWriterOutageTests()
    {
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(_logs));
        _writer = new StoreWriter(_store, _loggerFactory.CreateLogger<StoreWriter>(), _time, maxPendingEvents: 100);
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        _loggerFactory.Dispose();
    }

    [Fact]
    public async Task DiskFull_EventsAreKeptAndRetriedWithBackoff_AndTheOutageIsLoggedOnceEachWay()
    {
        await RecordAsync("before", 1);
        _store.Fail = true;
        await RecordAsync("during", 5);
        Assert.True(_writer.Failing);
        int attempts = _store.Attempts;

        _time.Advance(StoreWriter.RetryInitial - TimeSpan.FromMilliseconds(1));
        await RecordAsync("later", 5);
        Assert.Equal(attempts, _store.Attempts); // new writes wait for the retry instead of hammering the disk

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await WaitUntilAsync(() => _store.Attempts > attempts);
        attempts = _store.Attempts;
        _time.Advance(StoreWriter.RetryInitial); // the second retry waits twice as long
        await _writer.FlushAsync();
        Assert.Equal(attempts, _store.Attempts);

        _store.Fail = false;
        await RecoverAsync(StoreWriter.RetryInitial);
        await _writer.FlushAsync();

        Assert.Equal(["before0", .. Enumerable.Range(0, 5).Select(i => "during" + i), .. Enumerable.Range(0, 5).Select(i => "later" + i)],
            _store.Inner.Events.Select(e => e.Message));
        Assert.Single(_logs.Messages, m => m.Id.Id == LogEventIds.StoreWritesFailing);
        Assert.Single(_logs.Messages, m => m.Id.Id == LogEventIds.StoreWritesRecovered);
        Assert.DoesNotContain(_logs.Messages, m => m.Id.Id == LogEventIds.StoreWriteFailed);
    }

    [Fact]
    public async Task LongOutage_KeepsAtMostMaxPendingEvents_DroppingTheOldestAndCountingThem()
    {
        _store.Fail = true;
        await RecordAsync("e", 250);

        _store.Fail = false;
        await RecoverAsync(StoreWriter.RetryMax);
        await _writer.FlushAsync();
        await _writer.FlushAsync();

        var messages = _store.Inner.Events.Select(e => e.Message).ToList();
        Assert.Equal(Enumerable.Range(150, 100).Select(i => "e" + i), messages.Take(100));
        Assert.Equal("150 event(s) were dropped while the store could not be written", messages[^1]);
        Assert.Equal(150, _writer.DroppedEvents);
        Assert.Single(_logs.Messages, m => m.Id.Id == LogEventIds.StoreEventsDropped);
        Assert.Contains("150 event(s) dropped", Assert.Single(_logs.Messages, m => m.Id.Id == LogEventIds.StoreWritesRecovered).Message);
    }

    [Fact]
    public async Task DiskFull_WorkerRecordsDoNotWait_AndOnlyEachBotsNewestRecordIsKeptForTheRetry()
    {
        _store.Fail = true;
        await RecordAsync("e", 1);
        var started = DateTimeOffset.UnixEpoch;
        // A bot restarting a thousand times during the outage: save, then delete, of each worker.
        for (int pid = 1; pid <= 1000; pid++)
        {
            await _writer.SaveWorkerAsync(new WorkerRecord("churn", pid, pid, (ulong)pid, started)).WaitAsync(TestTimeouts.Event);
            await _writer.DeleteWorkerAsync(new WorkerRecord("churn", pid, pid, (ulong)pid, started)).WaitAsync(TestTimeouts.Event);
        }
        await _writer.SaveWorkerAsync(new WorkerRecord("churn", 1001, 1001, 1001, started)).WaitAsync(TestTimeouts.Event);
        await _writer.SaveWorkerAsync(new WorkerRecord("steady", 7, 7, 7, started)).WaitAsync(TestTimeouts.Event);
        await _writer.DeleteWorkerAsync(new WorkerRecord("churn", 999, 999, 999, started)).WaitAsync(TestTimeouts.Event); // late
        Assert.InRange(_writer.PendingWorkerRecords, 0, 2);

        _store.Fail = false;
        await RecoverAsync(StoreWriter.RetryMax);
        await _writer.FlushAsync();

        Assert.Equal(["churn:1001", "steady:7"], (await _store.Inner.LoadWorkersAsync()).Select(w => $"{w.BotId}:{w.Pid}").Order());
    }

    [Fact]
    public async Task Dispose_WhileTheDiskIsFull_CompletesAndSaysWhatWasNotWritten()
    {
        _store.Fail = true;
        await RecordAsync("e", 3);

        await _writer.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Event);

        Assert.Contains("3 event(s)", Assert.Single(_logs.Messages, m => m.Id.Id == LogEventIds.StoreWritesAbandoned).Message);
    }

    private async Task RecordAsync(string prefix, int count)
    {
        for (int i = 0; i < count; i++) _writer.Record(new BotEvent { Time = _time.GetUtcNow(), Kind = BotEventKinds.Daemon, Message = prefix + i });
        await _writer.FlushAsync().WaitAsync(TestTimeouts.Event);
    }

    /// <summary>
    /// Moves the fake clock by <paramref name="step"/> until the writer has recovered. The writer arms its
    /// retry after it answers the flush the test awaited, so one advance may come before the retry's
    /// timer exists (and it would then never fire on a fake clock): the clock moves until it has.
    /// </summary>
    private async Task RecoverAsync(TimeSpan step)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Event);
        while (_writer.Failing)
        {
            _time.Advance(step);
            await Task.Delay(10, cts.Token);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Event);
        while (!condition()) await Task.Delay(10, cts.Token);
    }

    /// <summary>The in-memory store, with writes that fail as they do on a full disk while <see cref="Fail"/> is set.</summary>
    private sealed class FailingStore : IFleetStore
    {
        private int _attempts;

        public InMemoryFleetStore Inner { get; } = new();

        public volatile bool Fail;

        public int Attempts => Volatile.Read(ref _attempts);

        private void Check()
        {
            Interlocked.Increment(ref _attempts);
            if (Fail) throw new StoreUnavailableException("the state directory's disk is full: SQLite Error 13: 'database or disk is full'", new IOException("No space left on device")) { DiskFull = true };
        }

        public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<IReadOnlyList<BotEvent>> AppendEventsAsync(IReadOnlyList<BotEvent> events, CancellationToken cancellationToken = default)
        {
            Check();
            return Inner.AppendEventsAsync(events, cancellationToken);
        }

        public Task<IReadOnlyList<BotEvent>> ReadEventsAsync(long afterId, int limit, string? botId = null, CancellationToken cancellationToken = default) => Inner.ReadEventsAsync(afterId, limit, botId, cancellationToken);

        public Task<IReadOnlyList<BotEvent>> ReadLatestEventsAsync(int limit, string? botId = null, CancellationToken cancellationToken = default) => Inner.ReadLatestEventsAsync(limit, botId, cancellationToken);

        public Task<int> PruneEventsAsync(DateTimeOffset olderThan, long keepNewest, int maxRows, CancellationToken cancellationToken = default)
        {
            Check();
            return Inner.PruneEventsAsync(olderThan, keepNewest, maxRows, cancellationToken);
        }

        public Task SaveWorkersAsync(IReadOnlyList<WorkerRecord> workers, CancellationToken cancellationToken = default)
        {
            Check();
            return Inner.SaveWorkersAsync(workers, cancellationToken);
        }

        public Task DeleteWorkersAsync(IReadOnlyList<WorkerRecord> workers, CancellationToken cancellationToken = default)
        {
            Check();
            return Inner.DeleteWorkersAsync(workers, cancellationToken);
        }

        public Task<IReadOnlyList<WorkerRecord>> LoadWorkersAsync(CancellationToken cancellationToken = default) => Inner.LoadWorkersAsync(cancellationToken);

        public Task<IReadOnlyList<StoredBot>> LoadBotsAsync(CancellationToken cancellationToken = default) => Inner.LoadBotsAsync(cancellationToken);

        public Task<IReadOnlyList<SourceSnapshot>> LoadSourceSnapshotsAsync(CancellationToken cancellationToken = default) => Inner.LoadSourceSnapshotsAsync(cancellationToken);

        public Task SaveSourceSnapshotAsync(SourceSnapshot snapshot, CancellationToken cancellationToken = default) => Inner.SaveSourceSnapshotAsync(snapshot, cancellationToken);

        public Task DeleteSourceSnapshotAsync(string name, CancellationToken cancellationToken = default) => Inner.DeleteSourceSnapshotAsync(name, cancellationToken);

        public Task SaveBotAsync(StoredBot bot, CancellationToken cancellationToken = default)
        {
            Check();
            return Inner.SaveBotAsync(bot, cancellationToken);
        }

        public Task DeleteBotAsync(string botId, CancellationToken cancellationToken = default)
        {
            Check();
            return Inner.DeleteBotAsync(botId, cancellationToken);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
