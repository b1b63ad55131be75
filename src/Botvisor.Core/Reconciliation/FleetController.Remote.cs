using Botvisor.Core.Fleet;
using Botvisor.Core.State;
using Botvisor.Core.Storage;
using Botvisor.Core.Sources;
using Botvisor.Core.Sources.Remote;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Reconciliation;

/// <summary>
/// Remote sources (<c>sources:</c> in the fleet file): each fetch's list goes through the same path as a
/// reload (validate all, store, diff, apply), with what a platform's list needs on top: a bad entry is
/// rejected alone and the rest applied; a large removal is held (<see cref="RemovalBrake"/>); the last
/// good list is stored before it is applied, so a daemon restarted during an outage runs it again.
/// </summary>
public sealed partial class FleetController
{
    private readonly IFleetStore _store;
    private readonly IFeedClient _feeds;
    private readonly ILogger _logger;
    private List<RemoteFleetSource> _remotes = [];
    private readonly Dictionary<string, SourceSnapshot> _storedSnapshots = new(StringComparer.Ordinal);
    /// <summary>Replaced whole under the gate, read without it (by the API's sync and accept).</summary>
    private volatile IReadOnlyDictionary<string, RemoteSourceRunner> _runners = new Dictionary<string, RemoteSourceRunner>(StringComparer.Ordinal);
    private bool _sourcesStopped;

    /// <summary>Raised after a remote source's fetch changed the running fleet (the daemon trims its heap after a large one).</summary>
    public event Action<FleetDiff>? SourceApplied;

    /// <summary>Every remote source's status, in the fleet file's order.</summary>
    public IReadOnlyList<RemoteSourceStatus> Sources => _remotes.Select(r => r.Status).ToList();

    /// <summary>Fetches the source now (or waits for the fetch under way and the one after it) and returns what it gave.</summary>
    public Task<SourceOutcome> SyncSourceAsync(string name, string actor, CancellationToken cancellationToken)
    {
        var runner = Runner(name);
        Audit(actor, "sync source", null, $"source '{name}'");
        return runner.RequestAsync(accept: null, cancellationToken);
    }

    /// <summary>Applies the removal held for the source (the last fetch's list, without the brake).</summary>
    public Task<SourceOutcome> AcceptSourceAsync(string name, string actor, CancellationToken cancellationToken)
    {
        var runner = Runner(name);
        var held = runner.Source.Held ?? throw new BotConflictException($"source '{name}' has no held removal to accept");
        Audit(actor, "accept source removal", null, $"source '{name}': {held.Ids.Count} bot(s)");
        return runner.RequestAsync(held, cancellationToken);
    }

    /// <summary>Ends every source's fetching (the daemon stops); their bots are stopped with the rest.</summary>
    public async Task StopSourcesAsync()
    {
        List<RemoteSourceRunner> runners;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _sourcesStopped = true;
            runners = [.. _runners.Values];
            _runners = new Dictionary<string, RemoteSourceRunner>(StringComparer.Ordinal);
        }
        finally
        {
            _gate.Release();
        }
        foreach (var runner in runners) await runner.DisposeAsync().ConfigureAwait(false);
    }

    private RemoteSourceRunner Runner(string name) =>
        _runners.GetValueOrDefault(name)
        ?? (_sourcesStopped ? throw new BotConflictException("the daemon is stopping; nothing was fetched") : throw new SourceNotFoundException(name, _remotes.Select(r => r.Name).ToList()));

    private List<(string Name, SourceState State)> RemoteStates() => _remotes.Select(r => (r.Name, r.Current)).ToList();

    /// <summary>The remote sources a fleet file's settings define: the running ones kept (reconfigured), new ones from the store's last good list.</summary>
    private List<RemoteFleetSource> RemotesFor(FleetConfig settings)
    {
        var list = new List<RemoteFleetSource>();
        foreach (var config in settings.Sources)
        {
            if (_remotes.FirstOrDefault(r => r.Name == config.Name) is { } running)
            {
                list.Add(running);
                continue;
            }
            var source = new RemoteFleetSource(config, _feeds);
            if (_storedSnapshots.TryGetValue(config.Name, out var snapshot))
            {
                foreach (var error in source.Restore(snapshot)) Log.StoredSourceEntryInvalid(_logger, config.Name, error);
            }
            list.Add(source);
        }
        return list;
    }

    /// <summary>Makes <paramref name="remotes"/> the running set (called under the gate once the file's change is valid).</summary>
    private async Task UseRemotesAsync(List<RemoteFleetSource> remotes, FleetConfig settings)
    {
        var runners = new Dictionary<string, RemoteSourceRunner>(_runners, StringComparer.Ordinal);
        foreach (var removed in _remotes.Where(r => !remotes.Contains(r)))
        {
            if (runners.Remove(removed.Name, out var runner)) _ = runner.DisposeAsync().AsTask();
            await DeleteSnapshotAsync(removed.Name).ConfigureAwait(false);
        }
        foreach (var name in _storedSnapshots.Keys.Where(n => settings.Sources.All(s => s.Name != n)).ToList())
        {
            await DeleteSnapshotAsync(name).ConfigureAwait(false);
        }
        var reconfigured = new List<RemoteFleetSource>();
        foreach (var (source, config) in remotes.Zip(settings.Sources))
        {
            if (source.Reconfigure(config)) reconfigured.Add(source);
            source.ForgetLastRead(); // the file may have freed an id or changed a template: the next fetch is read again
        }
        _remotes = remotes;
        if (_sourcesStopped) return;
        foreach (var source in remotes.Where(r => !runners.ContainsKey(r.Name)))
        {
            runners[source.Name] = new RemoteSourceRunner(source, this, _time, _logger);
        }
        foreach (var source in reconfigured) runners[source.Name].Wake(); // a new URL, mapping or filter: fetch now
        _runners = runners;
    }

    /// <summary>
    /// At start: a stored source's bot that fails with the fleet as it is now (a token the file now has, a
    /// program gone) is not run, with an error in the log, rather than stopping the daemon from starting;
    /// its source's next fetch decides again.
    /// </summary>
    private void DropInvalidStored(SourceState file, SourceState api, List<RemoteFleetSource> remotes)
    {
        for (int round = 0; round < 5; round++)
        {
            var (_, errors) = Validate(file, api, remotes.Select(r => (r.Name, r.Current)).ToList());
            var failing = errors.Select(BotIdOf).OfType<string>().ToHashSet(StringComparer.Ordinal);
            bool dropped = false;
            foreach (var remote in remotes)
            {
                foreach (var error in errors.Where(e => BotIdOf(e) is { } id && remote.Current.Defines(id)))
                {
                    Log.StoredSourceEntryInvalid(_logger, remote.Name, error.ToString());
                }
                dropped |= remote.Drop(failing);
            }
            if (!dropped) return;
        }
    }

    private async Task DeleteSnapshotAsync(string name)
    {
        _storedSnapshots.Remove(name);
        try
        {
            await _store.DeleteSourceSnapshotAsync(name).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            Log.SnapshotNotDeleted(_logger, name, ex.Message);
        }
    }

    /// <summary>
    /// Takes in one fetch of <paramref name="source"/> (called by its runner, one at a time): bad entries are
    /// rejected alone (validated with the rest of the fleet, the fetching source last, so that a clash is
    /// its entry's fault), the removal brake then decides what may go (entries rejected count as missing),
    /// and the list is stored and applied. Throws <see cref="FeedException"/> when the fetch cannot be taken
    /// in at all, including when every entry fails (a fault of this node, such as a missing program, more
    /// likely than a platform that broke every item at once). <paramref name="expectedHold"/>: for an accept,
    /// the held removal the operator saw; another one is not applied.
    /// </summary>
    internal async Task<string> ApplyFetchAsync(RemoteFleetSource source, FeedFetch fetch, bool accepted, HeldRemoval? expectedHold = null)
    {
        var config = source.Config;
        var extract = fetch.Read(config); // before the lock: parsing a large list holds up nothing
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_remotes.Contains(source) || _file?.Current is not { Settings: not null } file) return "ignored: the source is no longer in the fleet file";
            if (!ReferenceEquals(config, source.Config)) throw new StaleFetchException();
            if (accepted && (source.Held is not { } held0 || expectedHold is null || !held0.Ids.SetEquals(expectedHold.Ids)))
            {
                throw new BotConflictException($"the removal held for source '{source.Name}' changed since it was shown; look at `botvisor sources` again");
            }
            var entries = extract.Entries.ToList();

            // An id another source already has is this entry's problem, not the fleet's.
            foreach (var i in Candidates(entries))
            {
                if (SourceOf(entries[i].Id!) is { } owner && owner != source.Name)
                {
                    entries[i] = entries[i].Reject($"the id '{entries[i].Id}' is already defined in {Describe(owner)}");
                }
            }
            int offered = Candidates(entries).Count();

            // Entries that fail with the rest of the fleet are rejected alone; then the brake sees what is left.
            var current = source.Current.Bots;
            var alone = RejectInvalid(file, source, entries, kept: []);
            if (offered > 0 && !Candidates(entries).Any())
            {
                var first = entries.First(e => e.Rejection is not null);
                throw new FeedException($"every entry of the list fails here (such as {first.Name}: {first.Rejection}); the running bots are kept");
            }
            var accepting = Candidates(entries).Select(i => entries[i].Id!).ToHashSet(StringComparer.Ordinal);
            var removed = current.Select(b => b.Id).Where(id => !accepting.Contains(id)).ToHashSet(StringComparer.Ordinal);
            var decision = RemovalBrake.Decide(current.Count, removed, accepting.Count, source.Held, config.MaxRemoval, accepted);
            var kept = decision.Remove ? [] : current.Where(b => removed.Contains(b.Id)).Select(b => (b, source.DocumentOf(b.Id)!)).ToList();
            // With nothing kept, the fleet just validated is the one to apply: no second validation of the whole.
            var (fleet, next) = kept.Count == 0 ? alone : RejectInvalid(file, source, entries, kept);

            var rejected = entries.Where(e => e.Rejection is not null).Select(e => new RejectedEntry(e.Index, e.Id, e.Rejection!)).ToList();
            var held = decision.Held
                ? new HeldRemoval(removed, current.Count, source.Held is { } before && before.Ids.SetEquals(removed) ? before.Since : _time.GetUtcNow(), decision.NeedsAccept)
                : null;
            bool changed = !SameList(source, next);
            long generation = changed ? source.Generation + 1 : source.Generation;
            var now = _time.GetUtcNow();
            if (changed)
            {
                await _store.SaveSourceSnapshotAsync(source.Snapshot(next, generation, now)).ConfigureAwait(false); // a list that cannot be stored is not applied
            }
            ReportRead(source, rejected, held, decision.WasConfirmed || accepted);
            source.Read(fetch, held, rejected, extract);
            if (!changed) return held is null ? Summary("unchanged", rejected) : Summary($"removal of {held.Ids.Count} bot(s) held", rejected);

            source.Accept(next, generation, now);
            var diff = await _reconciler.ApplyAsync(fleet, $"source {source.Name}").ConfigureAwait(false);
            await ForgetWishesAsync(diff).ConfigureAwait(false);
            SourceApplied?.Invoke(diff);
            Record(BotEventKinds.Source, $"source '{source.Name}': generation {generation}: {diff.Added.Count} added, {diff.Changed.Count} changed, {diff.Removed.Count} removed ({next.Count} bot(s){(accepted ? ", removal accepted" : decision.WasConfirmed ? ", removal seen again and applied" : "")})",
                accepted || decision.WasConfirmed ? SourceEventStates.Confirmed : null);
            return Summary($"generation {generation}: {diff.Added.Count} added, {diff.Changed.Count} changed, {diff.Removed.Count} removed", rejected)
                + (held is null ? "" : $"; removal of {held.Ids.Count} bot(s) held");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Validates <paramref name="kept"/> and the entries not yet rejected with the rest of the fleet (the
    /// fetching source last), rejecting each entry that has an error until the whole is valid. An error in
    /// a kept bot or in another source cannot be an entry's fault: the fetch fails.
    /// </summary>
    private (ValidatedFleet Fleet, List<(BotConfig Bot, string Document)> Next) RejectInvalid(
        SourceState file, RemoteFleetSource source, List<FeedEntry> entries, List<(BotConfig Bot, string Document)> kept)
    {
        for (int round = 0; ; round++)
        {
            List<(BotConfig Bot, string Document)> next = [.. kept, .. Candidates(entries).Select(i => (entries[i].Bot!, entries[i].Document!))];
            var state = new SourceState(next.Select(n => n.Bot).ToList(), new Configuration.SourceMap(null));
            var remotes = _remotes.Where(r => r != source).Select(r => (r.Name, r.Current)).Append((source.Name, state)).ToList();
            var (fleet, errors) = Validate(file, _api.Current, remotes);
            if (fleet is not null) return (fleet, next);
            var byId = errors.GroupBy(e => BotIdOf(e) ?? "").ToDictionary(g => g.Key, g => string.Join("; ", g.Select(e => e.Message)), StringComparer.Ordinal);
            bool rejectedAny = false;
            foreach (var i in Candidates(entries))
            {
                if (byId.TryGetValue(entries[i].Id!, out var reason))
                {
                    entries[i] = entries[i].Reject(reason);
                    rejectedAny = true;
                }
            }
            if (!rejectedAny || round > 3)
            {
                throw new FeedException($"the list cannot be applied: {string.Join("; ", errors.Take(5).Select(e => e.ToString()))}");
            }
        }
    }

    private static IEnumerable<int> Candidates(List<FeedEntry> entries)
    {
        for (int i = 0; i < entries.Count; i++)
        {
            if (entries[i].Rejection is null && entries[i].Bot is not null) yield return i;
        }
    }

    private static bool SameList(RemoteFleetSource source, List<(BotConfig Bot, string Document)> next) =>
        next.Count == source.Current.Bots.Count && next.All(n => source.DocumentOf(n.Bot.Id) == n.Document);

    private static string Summary(string what, List<RejectedEntry> rejected) =>
        rejected.Count == 0 ? what : $"{what}; {rejected.Count} entr{(rejected.Count == 1 ? "y" : "ies")} rejected";

    /// <summary>At most this many events for entries newly rejected by one fetch (then one that counts the rest).</summary>
    private const int MaxRejectionEvents = 10;

    /// <summary>Events for what is new in this read: entries rejected that were not before, a removal held or no longer held.</summary>
    private void ReportRead(RemoteFleetSource source, List<RejectedEntry> rejected, HeldRemoval? held, bool removalApplied)
    {
        var before = source.Status.Rejected.Select(r => (r.Id, r.Reason)).ToHashSet();
        var fresh = rejected.Where(r => !before.Contains((r.Id, r.Reason))).ToList();
        foreach (var entry in fresh.Take(MaxRejectionEvents))
        {
            Record(BotEventKinds.Source, $"source '{source.Name}': item {entry.Index}{(entry.Id is null ? "" : $" ('{entry.Id}')")} rejected: {entry.Reason}");
        }
        if (fresh.Count > MaxRejectionEvents)
        {
            Record(BotEventKinds.Source, $"source '{source.Name}': and {fresh.Count - MaxRejectionEvents} more entries rejected (see `botvisor sources`)");
        }
        if (held is not null && (source.Held is null || !source.Held.Ids.SetEquals(held.Ids)))
        {
            var ids = string.Join(", ", held.Ids.Order(StringComparer.Ordinal).Take(10)) + (held.Ids.Count > 10 ? ", …" : "");
            Record(BotEventKinds.Source, state: SourceEventStates.Held, message: held.NeedsAccept
                ? $"source '{source.Name}': the list is empty; removing all {held.Before} bot(s) is held until accepted with `botvisor sources accept {source.Name}`"
                : $"source '{source.Name}': {held.Ids.Count} of {held.Before} bot(s) missing from the list (more than {source.Config.MaxRemoval:P0}): removal held until the next fetch shows it again or `botvisor sources accept {source.Name}` ({ids})");
            Log.RemovalHeld(_logger, source.Name, held.Ids.Count, held.Before);
        }
        else if (held is null && source.Held is not null && !removalApplied)
        {
            Record(BotEventKinds.Source, $"source '{source.Name}': the held removal is over: the missing bots are back in the list", SourceEventStates.Released);
        }
    }

    /// <summary>Records an event that is not an audit (a source's outage, say).</summary>
    internal void Record(string kind, string message, string? state = null) =>
        _writer.Record(new BotEvent { Time = _time.GetUtcNow(), Kind = kind, State = state, Message = message });

    private static partial class Log
    {
        [LoggerMessage(EventId = Diagnostics.LogEventIds.SourceStoredEntryInvalid, Level = LogLevel.Error, Message = "Source {Source}: a stored bot was not loaded: {Error}")]
        public static partial void StoredSourceEntryInvalid(ILogger logger, string source, string error);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.SourceSnapshotNotDeleted, Level = LogLevel.Warning, Message = "Source {Source} was removed from the fleet file, but its stored list could not be deleted: {Error}")]
        public static partial void SnapshotNotDeleted(ILogger logger, string source, string error);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.SourceRemovalHeld, Level = LogLevel.Warning, Message = "Source {Source}: {Missing} of {Before} bot(s) are missing from the list; their removal is held")]
        public static partial void RemovalHeld(ILogger logger, string source, int missing, int before);
    }
}
