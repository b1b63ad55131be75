using Botvisor.Core.State;
using Botvisor.Core.Storage;

namespace Botvisor.Testing;

/// <summary>A store that keeps everything in memory, for tests of the core.</summary>
public sealed class InMemoryFleetStore : IFleetStore
{
    private readonly object _gate = new();
    private readonly List<BotEvent> _events = [];
    private long _lastId;
    private readonly Dictionary<string, WorkerRecord> _workers = new(StringComparer.Ordinal);

    public IReadOnlyList<BotEvent> Events
    {
        get
        {
            lock (_gate) return _events.ToList();
        }
    }

    public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<BotEvent>> AppendEventsAsync(IReadOnlyList<BotEvent> events, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            for (int i = 0; i < events.Count; i++) _events.Add(events[i] with { Id = ++_lastId });
            return Task.FromResult<IReadOnlyList<BotEvent>>(_events.Skip(_events.Count - events.Count).ToList());
        }
    }

    public Task<IReadOnlyList<BotEvent>> ReadEventsAsync(long afterId, int limit, string? botId = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<BotEvent>>(_events.Where(e => e.Id > afterId && (botId is null || e.BotId == botId)).Take(limit).ToList());
        }
    }

    public Task<IReadOnlyList<BotEvent>> ReadLatestEventsAsync(int limit, string? botId = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var matching = _events.Where(e => botId is null || e.BotId == botId).ToList();
            return Task.FromResult<IReadOnlyList<BotEvent>>(matching.Skip(Math.Max(0, matching.Count - limit)).ToList());
        }
    }

    public Task<int> PruneEventsAsync(DateTimeOffset olderThan, long keepNewest, int maxRows, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            int n = 0;
            while (n < maxRows && n < _events.Count && (_events[n].Time < olderThan || _events.Count - n > keepNewest)) n++;
            _events.RemoveRange(0, n);
            return Task.FromResult(n);
        }
    }

    public Task SaveWorkersAsync(IReadOnlyList<WorkerRecord> workers, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            foreach (var w in workers) _workers[w.BotId] = w;
        }
        return Task.CompletedTask;
    }

    public Task DeleteWorkersAsync(IReadOnlyList<WorkerRecord> workers, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            foreach (var w in workers)
            {
                if (_workers.TryGetValue(w.BotId, out var current) && current.Pid == w.Pid) _workers.Remove(w.BotId);
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<WorkerRecord>> LoadWorkersAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<WorkerRecord>>(_workers.Values.ToList());
    }

    private readonly Dictionary<string, StoredBot> _bots = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<StoredBot>> LoadBotsAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<StoredBot>>(_bots.Values.OrderBy(b => b.Id, StringComparer.Ordinal).ToList());
    }

    public Task SaveBotAsync(StoredBot bot, CancellationToken cancellationToken = default)
    {
        lock (_gate) _bots[bot.Id] = bot;
        return Task.CompletedTask;
    }

    public Task DeleteBotAsync(string botId, CancellationToken cancellationToken = default)
    {
        lock (_gate) _bots.Remove(botId);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
