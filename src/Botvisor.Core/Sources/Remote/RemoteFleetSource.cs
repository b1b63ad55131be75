using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;
using Botvisor.Core.Storage;

namespace Botvisor.Core.Sources.Remote;

/// <summary>
/// A platform's list of bots (<c>sources:</c>), as an <see cref="IFleetSource"/>: its current state is the
/// last good list the controller accepted (kept in the store, so a daemon restarted during an outage
/// runs it again). It owns its fetcher and what status shows; the controller decides what is applied.
/// Its bots belong to it: the API can start, stop and restart them, not replace or remove them.
/// </summary>
public sealed class RemoteFleetSource : IFleetSource
{
    private readonly Lock _lock = new();
    private Dictionary<string, string> _documents = new(StringComparer.Ordinal);
    private RemoteSourceStatus _status;

    public RemoteFleetSource(RemoteSourceConfig config, IFeedClient client)
    {
        Config = config;
        Fetcher = new FeedFetcher(client);
        _status = new RemoteSourceStatus { Name = config.Name, Url = config.DisplayUrl, Interval = config.Interval, Health = "pending" };
    }

    public string Name => Config.Name;

    public RemoteSourceConfig Config { get; private set; }

    public FeedFetcher Fetcher { get; }

    public SourceState Current { get; private set; } = SourceState.Empty;

    public long Generation { get; private set; }

    public DateTimeOffset? GenerationTime { get; private set; }

    /// <summary>The removal held after the last fetch, if any.</summary>
    public HeldRemoval? Held { get; private set; }

    /// <summary>The last fetch that was read (kept for <c>sources accept</c>, which applies it without the brake).</summary>
    public FeedFetch? LastFetch { get; private set; }

    /// <summary>The hash of the last fetch that was read: an identical one (200 with the same bytes) is unchanged.</summary>
    public string? LastHash { get; private set; }

    public RemoteSourceStatus Status
    {
        get
        {
            lock (_lock) return _status with { Bots = Current.Bots.Count, Generation = Generation, GenerationTime = GenerationTime, HeldRemoval = Held };
        }
    }

    /// <summary>The stored document of a current bot (for the store's snapshot).</summary>
    public string? DocumentOf(string botId) => _documents.GetValueOrDefault(botId);

    /// <summary>A new definition from a reloaded fleet file: the next fetch asks unconditionally (a fetch read with the old one is not applied).</summary>
    /// <returns>Whether the definition changed.</returns>
    internal bool Reconfigure(RemoteSourceConfig config)
    {
        if (config.Equals(Config)) return false;
        Config = config;
        Fetcher.Reset();
        LastHash = null;
        lock (_lock) _status = _status with { Url = config.DisplayUrl, Interval = config.Interval };
        return true;
    }

    /// <summary>The next fetch is read even if its bytes are the same (the fleet file changed around the source).</summary>
    internal void ForgetLastRead() => LastHash = null;

    /// <summary>Takes the last good list from the store (at start, before the first fetch).</summary>
    internal IReadOnlyList<string> Restore(SourceSnapshot snapshot)
    {
        var errors = new List<string>();
        var bots = new List<BotConfig>();
        var documents = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var document in SnapshotCodec.Split(snapshot.Definitions))
        {
            var (bot, botErrors) = FleetFileLoader.ParseBotDocument(document, $"source {Name} (stored)", routeId: null, commandMayComeLater: true);
            if (bot is null)
            {
                errors.Add(string.Join("; ", botErrors));
                continue;
            }
            bots.Add(bot);
            documents[bot.Id] = document;
        }
        Current = new SourceState(bots, new SourceMap(null));
        _documents = documents;
        Generation = snapshot.Generation;
        GenerationTime = snapshot.FetchedAt;
        return errors;
    }

    /// <summary>At start: stored bots whose ids the fleet file or the API now define give way to them (with an error in the log).</summary>
    internal void DropClashes(IReadOnlySet<string> taken, Microsoft.Extensions.Logging.ILogger logger)
    {
        foreach (var bot in Current.Bots.Where(b => taken.Contains(b.Id))) Diagnostics.SourceLog.StoredBotGivesWay(logger, Name, bot.Id);
        Drop(taken);
    }

    /// <summary>Leaves the stored bots with these ids out (at start); returns whether there were any.</summary>
    internal bool Drop(IReadOnlySet<string> ids)
    {
        if (!Current.Bots.Any(b => ids.Contains(b.Id))) return false;
        foreach (var id in ids) _documents.Remove(id);
        Current = Current with { Bots = Current.Bots.Where(b => !ids.Contains(b.Id)).ToList() };
        return true;
    }

    /// <summary>The snapshot the store keeps for <paramref name="bots"/>.</summary>
    internal SourceSnapshot Snapshot(IReadOnlyList<(BotConfig Bot, string Document)> bots, long generation, DateTimeOffset time) =>
        new(Name, generation, time, SnapshotCodec.Join(bots.Select(b => b.Document)));

    /// <summary>Called by the controller once a list is part of the running fleet.</summary>
    internal void Accept(IReadOnlyList<(BotConfig Bot, string Document)> bots, long generation, DateTimeOffset time)
    {
        Current = new SourceState(bots.Select(b => b.Bot).ToList(), new SourceMap(null));
        _documents = bots.ToDictionary(b => b.Bot.Id, b => b.Document, StringComparer.Ordinal);
        Generation = generation;
        GenerationTime = time;
    }

    internal void Read(FeedFetch fetch, HeldRemoval? held, IReadOnlyList<RejectedEntry> rejected, FeedExtract extract)
    {
        LastFetch = fetch;
        // With entries rejected, the same list is read again next time: what rejected them (an id the API
        // had, a missing program) may be gone.
        LastHash = rejected.Count == 0 ? fetch.Hash : null;
        Held = held;
        Fetcher.Commit(fetch);
        lock (_lock) _status = _status with { Rejected = rejected, Filtered = extract.Filtered, Disabled = extract.Disabled };
    }

    internal void Succeeded(DateTimeOffset time, string result)
    {
        lock (_lock)
        {
            _status = _status with
            {
                Health = "ok", LastFetch = time, LastSuccess = time, LastResult = result, ConsecutiveFailures = 0,
                Fetches = _status.Fetches + 1, NotModified = _status.NotModified + (result.StartsWith("not modified", StringComparison.Ordinal) ? 1 : 0),
            };
        }
    }

    /// <summary>Records a failed fetch; returns how many failed in a row (1: an outage begins).</summary>
    internal int Failed(DateTimeOffset time, string reason)
    {
        lock (_lock)
        {
            _status = _status with { Health = "failing", LastFetch = time, LastResult = reason, ConsecutiveFailures = _status.ConsecutiveFailures + 1, FailedFetches = _status.FailedFetches + 1 };
            return _status.ConsecutiveFailures;
        }
    }

    internal void Scheduled(DateTimeOffset? next)
    {
        lock (_lock) _status = _status with { NextFetch = next };
    }
}
