using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;
using Botvisor.Core.State;
using Botvisor.Core.Storage;
using Botvisor.Core.Supervision;
using Botvisor.Core.Sources;
using Botvisor.Core.Sources.Remote;
using Botvisor.Core.Validation;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Reconciliation;

/// <summary>
/// Every change of desired state comes through here, from whichever source it comes: the fleet file
/// (start, SIGHUP, reload), the API's bots (add, replace, remove) and remote sources (a platform's list,
/// fetched; see FleetController.Remote.cs). One path for all of them: the
/// changed source proposes its next state (parsed before the lock), which is merged with every other
/// source's current state, validated as a whole, and only then stored, diffed and applied, behind one
/// gate. Any error rejects the change and the running fleet stays exactly as it was. Only this type
/// builds the <see cref="ValidatedFleet"/> the reconciler applies. Every change is an audit event with
/// who asked and how it ended.
/// </summary>
public sealed partial class FleetController : IDisposable
{
    public const string ApiSource = ApiFleetSource.SourceName;

    private readonly FleetReconciler _reconciler;
    private readonly StoreWriter _writer;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ApiFleetSource _api;
    private FileFleetSource? _file;

    /// <param name="clusterFleet">On a cluster node: where the cluster's fleet is kept (the fleet file is then the cluster's, see FleetController.Cluster.cs).</param>
    public FleetController(FleetReconciler reconciler, StoreWriter writer, IFleetStore store, IFeedClient feeds, TimeProvider time, ILogger<FleetController> logger,
        Cluster.IClusterFleetStore? clusterFleet = null)
    {
        _clusterFleet = clusterFleet;
        _reconciler = reconciler;
        _writer = writer;
        _store = store;
        _feeds = feeds;
        _time = time;
        _logger = logger;
        _api = new ApiFleetSource(store, time, logger);
    }

    public string? ConfigPath => _file?.Current.Settings?.SourcePath;

    /// <summary>Where a bot is defined: the fleet file's path, <see cref="ApiSource"/> or a remote source's name; null if unknown.</summary>
    public string? SourceOf(string botId) =>
        _file?.Current.Defines(botId) == true ? _file.Name
            : _api.Current.Defines(botId) ? ApiSource
            : _remotes.FirstOrDefault(r => r.Current.Defines(botId))?.Name;

    /// <summary>
    /// Reads what the store keeps: the bots added through the API (a stored bot that no longer parses is
    /// skipped with an error) and every remote source's last good list.
    /// </summary>
    public async Task LoadStoredBotsAsync(CancellationToken cancellationToken = default)
    {
        await _api.LoadAsync(cancellationToken).ConfigureAwait(false);
        foreach (var snapshot in await _store.LoadSourceSnapshotsAsync(cancellationToken).ConfigureAwait(false)) _storedSnapshots[snapshot.Name] = snapshot;
    }

    /// <summary>
    /// Reads the fleet file and applies it with the API's bots; returns the errors (and changes nothing) if the
    /// result is invalid. In a cluster, the file is published as the cluster's fleet or the cluster's is run
    /// instead (<see cref="Cluster.FleetPublishing"/>; <paramref name="publish"/>: a person asks to publish it).
    /// </summary>
    public async Task<FleetApplyResult> ApplyFileAsync(string path, string actor, string reason, bool publish = false)
    {
        var source = _file is { } known && known.Path == path ? known : new FileFleetSource(path);
        // Before the lock: a slow or hostile file holds up nothing.
        var (next, fileErrors, document) = source.Read(document: _clusterFleet is not null);
        ClusterPlan? plan = null;
        if (next is not null && document is not null)
        {
            (plan, fileErrors) = await PlanClusterAsync(next, document, publish).ConfigureAwait(false);
            next = plan?.State;
        }
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (plan is { } stale && stale.Cluster?.Generation < _clusterApplied?.Generation)
            {
                // The node followed a newer generation while this was planned: planned again, so it does not go back.
                (plan, fileErrors) = await PlanClusterAsync(stale.Local, stale.File, publish).ConfigureAwait(false);
                next = plan?.State;
            }
            if (next is null)
            {
                Audit(actor, reason, null, $"rejected: {fileErrors.Count} error(s) in {path}; the running fleet is unchanged");
                return new FleetApplyResult(null, fileErrors);
            }
            return await ApplyFileStateAsync(source, next, plan, actor, reason).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Applies the file's state (or the cluster's fleet, in a cluster) with every other source's; under the gate.</summary>
    /// <param name="fileWins">At start, and when a node follows the cluster's fleet (whose publisher decided): a bot the
    /// API or a remote source defines too gives way to the file's (a reload that clashes is refused instead).</param>
    private async Task<FleetApplyResult> ApplyFileStateAsync(FileFleetSource source, SourceState next, ClusterPlan? plan, string actor, string reason, bool fileWins = false)
    {
        fileWins |= _file is null;
        // At start, a stored bot the file now defines too gives way to the file.
        var api = fileWins ? _api.WithoutClashes(next) : _api.Current;
        var remotes = RemotesFor(next.Settings!);
        if (fileWins)
        {
            // At start, a stored source's bot that the file or the API now defines gives way to them.
            var taken = next.Bots.Select(b => b.Id).Concat(api.Bots.Select(b => b.Id)).ToHashSet(StringComparer.Ordinal);
            foreach (var remote in remotes) remote.DropClashes(taken, _logger);
            DropInvalidStored(next, api, remotes);
        }
        var (fleet, errors) = Validate(next, api, remotes.Select(r => (r.Name, r.Current)).ToList());
        if (errors.Count > 0)
        {
            Audit(actor, reason, null, $"rejected: {errors.Count} error(s); the running fleet is unchanged");
            return new FleetApplyResult(null, errors);
        }
        string? published = null;
        if (plan is not null)
        {
            try
            {
                published = await CommitClusterPlanAsync(plan).ConfigureAwait(false);
            }
            catch (StoreUnavailableException ex)
            {
                Audit(actor, reason, null, $"failed: {ex.Message}; the running fleet is unchanged");
                return new FleetApplyResult(null, [new FleetError("", $"the cluster's fleet could not be published: {ex.Message}") { File = source.Path }]);
            }
        }
        _file = source;
        source.Accept(next);
        _api.Accept(api);
        await UseRemotesAsync(remotes, next.Settings!).ConfigureAwait(false);
        var diff = await _reconciler.ApplyAsync(fleet!, reason).ConfigureAwait(false);
        await ForgetWishesAsync(diff).ConfigureAwait(false);
        Audit(actor, reason, null, published is null ? diff.ToString() : $"{diff}; {published}");
        return new FleetApplyResult(diff, []) { Note = published };
    }

    /// <summary>
    /// In a cluster: re-reads the bots added through the API (another node may have added, replaced or removed
    /// some) and applies them with the file's, through the same validation; an invalid result changes nothing.
    /// </summary>
    public async Task<FleetDiff?> SyncStoredBotsAsync(string actor)
    {
        var stored = await _api.ReadAsync().ConfigureAwait(false); // before the lock
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_file?.Current is not { } file) return null;
            var next = _api.WithoutClashes(file, stored);
            var (fleet, errors) = Validate(file, next, RemoteStates());
            if (errors.Count > 0)
            {
                Audit(actor, "sync stored bots", null, $"rejected: {string.Join("; ", errors)}");
                return null;
            }
            _api.Accept(next);
            var diff = await _reconciler.ApplyAsync(fleet!, "the cluster's bots changed").ConfigureAwait(false);
            await ForgetWishesAsync(diff).ConfigureAwait(false);
            RetryClusterFleet(); // the API's bots were perhaps what kept the cluster's newest fleet from applying here
            if (diff.Added.Count + diff.Changed.Count + diff.Removed.Count > 0) Audit(actor, "sync stored bots", null, diff.ToString());
            return diff;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Adds a bot from a JSON or YAML definition; it is stored and survives a restart of the daemon.</summary>
    public async Task<BotSpec> AddBotAsync(string definition, string actor)
    {
        var bot = ApiFleetSource.Parse(definition, routeId: null);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (SourceOf(bot.Id) is { } source)
            {
                throw new BotConflictException(source == ApiSource
                    ? $"a bot with the id '{bot.Id}' already exists; replace it with PUT /bots/{bot.Id}"
                    : $"a bot with the id '{bot.Id}' is defined in {Describe(source)}");
            }
            return (await ChangeApiBotsAsync(bot.Id, bot, definition, actor, "add").ConfigureAwait(false))!;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Replaces a bot added through the API; a changed bot restarts with its new definition.</summary>
    public async Task<BotSpec> ReplaceBotAsync(string botId, string definition, string actor)
    {
        // Parsed before the lock; a missing or file-defined bot is still reported before a bad body.
        var (bot, errors) = FleetFileLoader.ParseBotDocument(definition, ApiFleetSource.RequestBody, botId);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            RequireApiBot(botId, "replaced");
            if (bot is null) throw new FleetValidationException(errors);
            return (await ChangeApiBotsAsync(botId, bot, definition, actor, "update").ConfigureAwait(false))!;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes a bot added through the API: its worker is stopped and its definition deleted.</summary>
    public async Task RemoveBotAsync(string botId, string actor)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            RequireApiBot(botId, "removed");
            await ChangeApiBotsAsync(botId, null, null, actor, "remove").ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Starts, stops or restarts a bot (from any source); completes when the effect is reached.</summary>
    public async Task<BotSnapshot> CommandAsync(string botId, BotCommand command, string actor)
    {
        var supervisor = _reconciler.Find(botId) ?? throw new BotNotFoundException(botId);
        string verb = command.ToString().ToLowerInvariant();
        if (_clusterFleet is not null && command is BotCommand.Start or BotCommand.Stop or BotCommand.Restart)
        {
            // In a cluster a person's start or stop is the cluster's: stored first, so that it holds wherever the bot moves.
            try
            {
                await _clusterFleet.SetWishAsync(botId, command != BotCommand.Stop, actor).ConfigureAwait(false);
            }
            catch (StoreUnavailableException ex)
            {
                Audit(actor, verb, botId, $"failed: {ex.Message}; nothing was changed");
                throw;
            }
        }
        var snapshot = await supervisor.SendAsync(command, $"{verb} requested by {actor}").ConfigureAwait(false);
        Audit(actor, verb, botId, $"now {snapshot.State.ToName()}");
        return snapshot;
    }

    /// <summary>Records an audit event for something that is not a fleet change (shutdown, say).</summary>
    public void Audit(string actor, string action, string? botId, string outcome) => _writer.Record(new BotEvent
    {
        Time = _time.GetUtcNow(),
        Kind = BotEventKinds.Audit,
        BotId = botId,
        Actor = actor,
        Message = botId is null ? $"{actor}: {action}: {outcome}" : $"{actor}: {action} {botId}: {outcome}",
    });

    private async Task<BotSpec?> ChangeApiBotsAsync(string botId, BotConfig? bot, string? definition, string actor, string action)
    {
        var file = _file?.Current ?? throw new InvalidOperationException("the fleet file has not been loaded");
        var next = _api.With(botId, bot);
        var (fleet, errors) = Validate(file, next, RemoteStates());
        if (errors.Count > 0)
        {
            Audit(actor, action, botId, $"rejected: {string.Join("; ", errors)}");
            throw new FleetValidationException(errors);
        }

        try
        {
            await _api.AcceptAsync(next, botId, definition, actor).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            Audit(actor, action, botId, $"failed: {ex.Message}; nothing was changed");
            throw;
        }
        var diff = await _reconciler.ApplyAsync(fleet!, $"{action} by {actor}").ConfigureAwait(false);
        await ForgetWishesAsync(diff).ConfigureAwait(false);
        RetryClusterFleet();
        Audit(actor, action, botId, "ok");
        return bot is null ? null : fleet!.Bots.Single(b => b.Id == botId);
    }

    private void RequireApiBot(string botId, string what)
    {
        var source = SourceOf(botId) ?? throw new BotNotFoundException(botId);
        if (source != ApiSource)
        {
            throw new BotConflictException(source.Contains('/', StringComparison.Ordinal)
                ? $"bot '{botId}' is defined in {source} and cannot be {what} through the API; edit the file and reload"
                : $"bot '{botId}' comes from {Describe(source)} and cannot be {what} through the API; change it on the platform, or start and stop it here");
        }
    }

    /// <summary>
    /// Merges the file's state, the API's and every remote source's (in this order: a bot id or a token
    /// given twice is an error of the later one), applies templates, validates the whole, and resolves every
    /// bot with the file's settings. Errors in bots that are not the file's name no file position.
    /// </summary>
    private static (ValidatedFleet? Fleet, List<FleetError> Errors) Validate(SourceState file, SourceState api, IReadOnlyList<(string Name, SourceState State)> remotes)
    {
        var settings = file.Settings ?? throw new InvalidOperationException("the fleet file's state has no settings");
        var errors = new List<FleetError>();
        var owners = file.Bots.ToDictionary(b => b.Id, _ => settings.SourcePath ?? "the fleet file", StringComparer.Ordinal);
        var others = new List<(BotConfig Bot, string Source)>();
        foreach (var (name, state) in remotes.Prepend((ApiSource, api)))
        {
            foreach (var bot in state.Bots)
            {
                if (owners.TryGetValue(bot.Id, out var owner))
                {
                    errors.Add(name == ApiSource && owner != ApiSource
                        ? file.Locations.Error("bots." + bot.Id, $"bot '{bot.Id}' is also defined through the API; remove one of them", bot.Id)
                        : new FleetError("bots." + bot.Id, $"bot '{bot.Id}' of {Describe(name)} is already defined in {Describe(owner)}") { Value = bot.Id });
                    continue;
                }
                owners[bot.Id] = name;
                // A source's items that name no template take the source's, as the file now says.
                var template = bot.Template ?? settings.Sources.FirstOrDefault(s => s.Name == name)?.Template;
                var written = template == bot.Template ? bot : bot with { Template = template };
                if (BotTemplates.TryApply(written, settings.Templates) is not { } resolved)
                {
                    errors.Add(new FleetError($"bots.{bot.Id}.template", $"bot '{bot.Id}' of {Describe(name)} names the template '{written.Template}', which the fleet file does not define") { Value = written.Template });
                }
                else if (resolved.Command.Count == 0)
                {
                    errors.Add(new FleetError($"bots.{bot.Id}.command", $"bot '{bot.Id}' of {Describe(name)} has no command, and {(written.Template is null ? "no template to take one from" : $"its template '{written.Template}' gives none")}"));
                }
                else
                {
                    others.Add((resolved, name));
                }
            }
        }
        var otherIds = others.Select(o => o.Bot.Id).ToHashSet(StringComparer.Ordinal);
        var merged = settings with { Bots = [.. file.Bots, .. others.Select(o => o.Bot)] };
        foreach (var error in FleetValidator.Default.Validate(merged, file.Locations))
        {
            bool elsewhere = BotIdOf(error) is { } id && otherIds.Contains(id);
            errors.Add(elsewhere ? error with { File = null, Location = null } : error);
        }
        if (errors.Count > 0) return (null, errors);
        var specs = BotSpecResolver.ResolveAll(settings with { Bots = file.Bots }, settings.SourcePath ?? "")
            .Concat(others.Select(o => BotSpecResolver.Resolve(o.Bot, settings.Defaults, settings.BaseDirectory, o.Source)))
            .ToList();
        return (new ValidatedFleet(specs), errors);
    }

    /// <summary>The bot an error is about (its path is <c>bots.&lt;id&gt;…</c>), if any.</summary>
    private static string? BotIdOf(FleetError error)
    {
        if (!error.Path.StartsWith("bots.", StringComparison.Ordinal)) return null;
        var rest = error.Path.AsSpan(5);
        int dot = rest.IndexOf('.');
        return (dot < 0 ? rest : rest[..dot]).ToString();
    }

    private static string Describe(string source) => source == ApiSource ? "the API" : source.Contains('/', StringComparison.Ordinal) ? source : $"source '{source}'";

    public void Dispose()
    {
        _gate.Dispose();
        foreach (var runner in _runners.Values) runner.Dispose();
    }
}

public sealed record FleetApplyResult(FleetDiff? Diff, IReadOnlyList<FleetError> Errors)
{
    /// <summary>In a cluster, what became of the file: published as the cluster's fleet, or the cluster's run instead.</summary>
    public string? Note { get; init; }

    public bool Succeeded => Diff is not null;
}
