using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Botvisor.Core.Storage;

namespace Botvisor.Core.State;

/// <summary>
/// The stream of stored events: what is in the store after a given id, then every event as it is
/// stored. A client that reconnects with the last id it saw misses nothing and sees nothing twice.
/// </summary>
public sealed class EventFeed
{
    private const int FollowerBuffer = 4096;
    private readonly IFleetStore _store;
    private readonly StoreWriter _writer;
    private readonly object _gate = new();
    private Channel<BotEvent>[] _followers = [];

    public EventFeed(IFleetStore store, StoreWriter writer)
    {
        _store = store;
        _writer = writer;
        writer.EventsStored += OnStored;
    }

    private void OnStored(IReadOnlyList<BotEvent> events)
    {
        var followers = _followers;
        foreach (var f in followers)
        {
            foreach (var e in events) f.Writer.TryWrite(e);
        }
    }

    /// <summary>Events with an id above <paramref name="afterId"/> (all stored ones if 0 and <paramref name="replay"/>), then live ones.</summary>
    public async IAsyncEnumerable<BotEvent> ReadAsync(long afterId, bool follow, string? botId, int replayLimit,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<BotEvent>(new BoundedChannelOptions(FollowerBuffer) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        if (follow)
        {
            lock (_gate) _followers = [.. _followers, channel];
        }
        try
        {
            long last = afterId;
            // What happened before this request is in the backlog, even if the writer has not written it yet.
            await _writer.FlushAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            var backlog = afterId > 0
                ? await _store.ReadEventsAsync(afterId, int.MaxValue, botId, cancellationToken).ConfigureAwait(false)
                : await _store.ReadLatestEventsAsync(replayLimit, botId, cancellationToken).ConfigureAwait(false);
            foreach (var e in backlog)
            {
                last = Math.Max(last, e.Id);
                yield return e;
            }
            if (!follow) yield break;
            await foreach (var e in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (e.Id <= last || (botId is not null && e.BotId != botId)) continue;
                last = e.Id;
                yield return e;
            }
        }
        finally
        {
            if (follow)
            {
                lock (_gate) _followers = _followers.Where(c => c != channel).ToArray();
            }
        }
    }
}
