using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Botvisor.Core.State;

/// <summary>
/// The observed state of every bot. Each bot's supervisor publishes snapshots; everyone else reads
/// them or watches them: subscribe first, then replay the current snapshots, then stream updates,
/// skipping versions already seen.
/// </summary>
public sealed class FleetStateService
{
    private readonly ConcurrentDictionary<string, BotSnapshot> _snapshots = new(StringComparer.Ordinal);
    private readonly object _subscribersGate = new();
    private Channel<BotSnapshot>[] _subscribers = [];
    private long _version;

    public IReadOnlyCollection<BotSnapshot> Snapshots => _snapshots.Values.OrderBy(s => s.Id, StringComparer.Ordinal).ToList();

    public BotSnapshot? Get(string botId) => _snapshots.GetValueOrDefault(botId);

    /// <summary>Applies <paramref name="update"/> to the bot's snapshot (a new one if none), versions and announces it.</summary>
    public BotSnapshot Publish(string botId, Func<BotSnapshot, BotSnapshot> update)
    {
        BotSnapshot next;
        lock (_subscribersGate)
        {
            var current = _snapshots.GetValueOrDefault(botId) ?? new BotSnapshot { Id = botId };
            next = update(current) with { Id = botId, Version = ++_version };
            _snapshots[botId] = next;
            foreach (var s in _subscribers) s.Writer.TryWrite(next);
        }
        return next;
    }

    /// <summary>Forgets a removed bot.</summary>
    public void Remove(string botId)
    {
        lock (_subscribersGate)
        {
            _snapshots.TryRemove(botId, out _);
        }
    }

    /// <summary>The current snapshot of every bot, then every change, until cancelled.</summary>
    public async IAsyncEnumerable<BotSnapshot> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<BotSnapshot>(new UnboundedChannelOptions { SingleReader = true });
        List<BotSnapshot> initial;
        lock (_subscribersGate)
        {
            _subscribers = [.. _subscribers, channel];
            initial = _snapshots.Values.ToList();
        }
        try
        {
            var seen = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var s in initial)
            {
                seen[s.Id] = s.Version;
                yield return s;
            }
            await foreach (var s in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (seen.TryGetValue(s.Id, out var v) && v >= s.Version) continue;
                seen[s.Id] = s.Version;
                yield return s;
            }
        }
        finally
        {
            lock (_subscribersGate) _subscribers = _subscribers.Where(c => c != channel).ToArray();
        }
    }

    /// <summary>Waits until the bot is in one of <paramref name="states"/>; returns that snapshot.</summary>
    public async Task<BotSnapshot> WaitForStateAsync(string botId, IReadOnlyCollection<BotLifecycleState> states, CancellationToken cancellationToken = default)
    {
        await foreach (var s in WatchAsync(cancellationToken).ConfigureAwait(false))
        {
            if (s.Id == botId && states.Contains(s.State)) return s;
        }
        throw new OperationCanceledException(cancellationToken);
    }

    /// <summary>Waits until <paramref name="predicate"/> holds for the bot's snapshot.</summary>
    public async Task<BotSnapshot> WaitForAsync(string botId, Func<BotSnapshot, bool> predicate, CancellationToken cancellationToken = default)
    {
        await foreach (var s in WatchAsync(cancellationToken).ConfigureAwait(false))
        {
            if (s.Id == botId && predicate(s)) return s;
        }
        throw new OperationCanceledException(cancellationToken);
    }
}
