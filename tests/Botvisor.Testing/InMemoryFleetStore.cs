using Botvisor.Core.State;
using Botvisor.Core.Storage;

namespace Botvisor.Testing;

/// <summary>
/// A store that keeps everything in memory, for tests of the core. It passes the same contract as SQLite
/// (<c>FleetStoreContract</c>): times kept to the millisecond in UTC, workers and bots in id order, the same
/// pruning, and no use after disposal.
/// </summary>
public sealed class InMemoryFleetStore : IFleetStore
{
    private readonly object _gate = new();
    private readonly List<BotEvent> _events = [];
    private long _lastId;
    private readonly Dictionary<string, WorkerRecord> _workers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StoredBot> _bots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SourceSnapshot> _sources = new(StringComparer.Ordinal);
    private bool _disposed;

    public IReadOnlyList<BotEvent> Events
    {
        get
        {
            lock (_gate) return _events.ToList();
        }
    }

    public Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate) ThrowIfDisposed();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<BotEvent>> AppendEventsAsync(IReadOnlyList<BotEvent> events, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            var stored = new List<BotEvent>(events.Count);
            foreach (var e in events)
            {
                long id = ++_lastId;
                _events.Add(e with { Id = id, Time = Stored(e.Time) });
                stored.Add(e with { Id = id }); // as SQLite: the caller's own event, with its id
            }
            return Task.FromResult<IReadOnlyList<BotEvent>>(stored);
        }
    }

    public Task<IReadOnlyList<BotEvent>> ReadEventsAsync(long afterId, int limit, string? botId = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            return Task.FromResult<IReadOnlyList<BotEvent>>(_events.Where(e => e.Id > afterId && (botId is null || e.BotId == botId)).Take(limit).ToList());
        }
    }

    public Task<IReadOnlyList<BotEvent>> ReadLatestEventsAsync(int limit, string? botId = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            var matching = _events.Where(e => botId is null || e.BotId == botId).ToList();
            return Task.FromResult<IReadOnlyList<BotEvent>>(matching.Skip(Math.Max(0, matching.Count - limit)).ToList());
        }
    }

    /// <summary>
    /// As SQLite does it: the events past the count (every one up to the newest that has
    /// <paramref name="keepNewest"/> newer ones) and those older than <paramref name="olderThan"/>, oldest first,
    /// at most <paramref name="maxRows"/>; nothing when nothing is past the count and the oldest event is not past the age.
    /// </summary>
    public Task<int> PruneEventsAsync(DateTimeOffset olderThan, long keepNewest, int maxRows, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            long byCount = keepNewest < _events.Count ? _events[_events.Count - 1 - (int)keepNewest].Id : 0;
            if (byCount == 0 && (_events.Count == 0 || _events[0].Time >= olderThan)) return Task.FromResult(0);
            var doomed = _events.Where(e => e.Id <= byCount || e.Time < olderThan).Take(Math.Max(0, maxRows)).Select(e => e.Id).ToHashSet();
            _events.RemoveAll(e => doomed.Contains(e.Id));
            return Task.FromResult(doomed.Count);
        }
    }

    public Task SaveWorkersAsync(IReadOnlyList<WorkerRecord> workers, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            foreach (var w in workers) _workers[w.BotId] = w with { StartedAt = Stored(w.StartedAt) };
        }
        return Task.CompletedTask;
    }

    public Task DeleteWorkersAsync(IReadOnlyList<WorkerRecord> workers, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            foreach (var w in workers)
            {
                // Only the record of that very worker: a newer worker of the same bot keeps its record.
                if (_workers.TryGetValue(w.BotId, out var current) && current.Pid == w.Pid) _workers.Remove(w.BotId);
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<WorkerRecord>> LoadWorkersAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            return Task.FromResult<IReadOnlyList<WorkerRecord>>(_workers.Values.OrderBy(w => w.BotId, StringComparer.Ordinal).ToList());
        }
    }

    public Task<IReadOnlyList<StoredBot>> LoadBotsAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            return Task.FromResult<IReadOnlyList<StoredBot>>(_bots.Values.OrderBy(b => b.Id, StringComparer.Ordinal).ToList());
        }
    }

    public Task SaveBotAsync(StoredBot bot, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            _bots[bot.Id] = bot with { UpdatedAt = Stored(bot.UpdatedAt) };
        }
        return Task.CompletedTask;
    }

    public Task DeleteBotAsync(string botId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            _bots.Remove(botId);
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SourceSnapshot>> LoadSourceSnapshotsAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            return Task.FromResult<IReadOnlyList<SourceSnapshot>>(_sources.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList());
        }
    }

    public Task SaveSourceSnapshotAsync(SourceSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            _sources[snapshot.Name] = snapshot with { FetchedAt = DateTimeOffset.FromUnixTimeMilliseconds(snapshot.FetchedAt.ToUnixTimeMilliseconds()) };
        }
        return Task.CompletedTask;
    }

    public Task DeleteSourceSnapshotAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            _sources.Remove(name);
        }
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        lock (_gate) _disposed = true;
        return ValueTask.CompletedTask;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>A time as SQLite keeps it: Unix milliseconds, read back in UTC.</summary>
    private static DateTimeOffset Stored(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
}
