using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;
using Botvisor.Core.State;
using Botvisor.Core.Storage;
using Botvisor.Core.Supervision;
using Botvisor.Core.Validation;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Reconciliation;

/// <summary>
/// Every change of desired state comes through here: the fleet file (start, SIGHUP, reload) and bots
/// added, replaced or removed through the API. Each change is validated together with the rest of
/// the fleet, and only then diffed and applied; any error rejects the change as a whole and the
/// running fleet stays exactly as it was. Every change is an audit event with who asked and how it ended.
/// </summary>
public sealed partial class FleetController : IDisposable
{
    public const string ApiSource = "api";

    private readonly FleetReconciler _reconciler;
    private readonly StoreWriter _writer;
    private readonly IFleetStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private FleetConfig? _file;
    private SourceMap _fileLocations = new(null);
    private Dictionary<string, BotConfig> _apiBots = new(StringComparer.Ordinal);

    public FleetController(FleetReconciler reconciler, StoreWriter writer, IFleetStore store, TimeProvider time, ILogger<FleetController> logger)
    {
        _reconciler = reconciler;
        _writer = writer;
        _store = store;
        _time = time;
        _logger = logger;
    }

    public string? ConfigPath => _file?.SourcePath;

    /// <summary>Where a bot is defined: the fleet file's path or <see cref="ApiSource"/>; null if unknown.</summary>
    public string? SourceOf(string botId) =>
        _file?.Bots.Any(b => b.Id == botId) == true ? _file.SourcePath : _apiBots.ContainsKey(botId) ? ApiSource : null;

    /// <summary>Reads the bots added through the API earlier; a stored bot that no longer parses is skipped with an error.</summary>
    public async Task LoadStoredBotsAsync(CancellationToken cancellationToken = default)
    {
        foreach (var stored in await _store.LoadBotsAsync(cancellationToken).ConfigureAwait(false))
        {
            var (bot, errors) = FleetFileLoader.ParseBotDocument(stored.Definition, ApiSource, stored.Id);
            if (bot is null)
            {
                Log.StoredBotInvalid(_logger, stored.Id, string.Join("; ", errors));
                continue;
            }
            _apiBots[bot.Id] = bot;
        }
    }

    /// <summary>Reads the fleet file and applies it with the API's bots; returns the errors (and changes nothing) if the result is invalid.</summary>
    public async Task<FleetApplyResult> ApplyFileAsync(string path, string actor, string reason)
    {
        // Reading and checking the file alone needs nothing of the controller's: it is done before the
        // lock, so a slow or hostile file never holds up the API's adds, replaces and removes.
        var loaded = FleetLoader.LoadAndValidate(path);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!loaded.Succeeded)
            {
                Audit(actor, reason, null, $"rejected: {loaded.Errors.Count} error(s) in {path}; the running fleet is unchanged");
                return new FleetApplyResult(null, loaded.Errors);
            }
            var apiBots = _apiBots;
            if (_file is null)
            {
                // At start, an API bot that clashes with the file gives way to the file (with an error in the log).
                apiBots = new Dictionary<string, BotConfig>(apiBots, StringComparer.Ordinal);
                foreach (var clash in loaded.Fleet!.Bots.Where(b => apiBots.ContainsKey(b.Id)))
                {
                    Log.StoredBotInvalid(_logger, clash.Id, $"{path} now defines a bot with the same id; the file wins");
                    apiBots.Remove(clash.Id);
                }
            }
            var errors = ValidateMerged(loaded.Fleet!, loaded.Locations, apiBots);
            if (errors.Count > 0)
            {
                Audit(actor, reason, null, $"rejected: {errors.Count} error(s); the running fleet is unchanged");
                return new FleetApplyResult(null, errors);
            }
            _file = loaded.Fleet;
            _fileLocations = loaded.Locations;
            _apiBots = apiBots;
            var diff = await ApplyCurrentAsync(reason).ConfigureAwait(false);
            Audit(actor, reason, null, diff.ToString());
            return new FleetApplyResult(diff, []);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Adds a bot from a JSON or YAML definition; it is stored and survives a restart of the daemon.</summary>
    public async Task<BotSpec> AddBotAsync(string definition, string actor)
    {
        var bot = Parse(definition, routeId: null);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (SourceOf(bot.Id) is { } source)
            {
                throw new BotConflictException(source == ApiSource
                    ? $"a bot with the id '{bot.Id}' already exists; replace it with PUT /bots/{bot.Id}"
                    : $"a bot with the id '{bot.Id}' is defined in {source}");
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
        var (bot, errors) = FleetFileLoader.ParseBotDocument(definition, RequestBody, botId);
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
        var next = new Dictionary<string, BotConfig>(_apiBots, StringComparer.Ordinal);
        if (bot is null) next.Remove(botId);
        else next[botId] = bot;

        var file = _file ?? throw new InvalidOperationException("the fleet file has not been loaded");
        var errors = ValidateMerged(file, _fileLocations, next);
        if (errors.Count > 0)
        {
            Audit(actor, action, botId, $"rejected: {string.Join("; ", errors)}");
            throw new FleetValidationException(errors);
        }

        try
        {
            if (bot is null) await _store.DeleteBotAsync(botId).ConfigureAwait(false);
            else await _store.SaveBotAsync(new StoredBot(botId, definition!, _time.GetUtcNow(), actor)).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            Audit(actor, action, botId, $"failed: {ex.Message}; nothing was changed");
            throw;
        }
        _apiBots = next;
        await ApplyCurrentAsync($"{action} by {actor}").ConfigureAwait(false);
        Audit(actor, action, botId, "ok");
        return bot is null ? null : BotSpecResolver.Resolve(bot, file.Defaults, file.BaseDirectory, ApiSource);
    }

    private void RequireApiBot(string botId, string what)
    {
        var source = SourceOf(botId) ?? throw new BotNotFoundException(botId);
        if (source != ApiSource)
        {
            throw new BotConflictException($"bot '{botId}' is defined in {source} and cannot be {what} through the API; edit the file and reload");
        }
    }

    private const string RequestBody = "request body";

    private static BotConfig Parse(string definition, string? routeId)
    {
        var (bot, errors) = FleetFileLoader.ParseBotDocument(definition, RequestBody, routeId);
        if (bot is null) throw new FleetValidationException(errors);
        return bot;
    }

    private static List<FleetError> ValidateMerged(FleetConfig file, SourceMap locations, IReadOnlyDictionary<string, BotConfig> apiBots)
    {
        var errors = new List<FleetError>();
        foreach (var id in apiBots.Keys.Where(id => file.Bots.Any(b => b.Id == id)))
        {
            errors.Add(locations.Error("bots." + id, $"bot '{id}' is also defined through the API; remove one of them", id));
        }
        var merged = file with { Bots = file.Bots.Concat(apiBots.Values.Where(b => file.Bots.All(f => f.Id != b.Id))).ToList() };
        foreach (var error in FleetValidator.Default.Validate(merged, locations))
        {
            bool fromApi = apiBots.Keys.Any(id => error.Path == "bots." + id || error.Path.StartsWith("bots." + id + ".", StringComparison.Ordinal));
            errors.Add(fromApi ? error with { File = null, Location = null } : error);
        }
        return errors;
    }

    private Task<FleetDiff> ApplyCurrentAsync(string reason)
    {
        var file = _file!;
        var specs = BotSpecResolver.ResolveAll(file, file.SourcePath ?? "")
            .Concat(_apiBots.Values.Select(b => BotSpecResolver.Resolve(b, file.Defaults, file.BaseDirectory, ApiSource)))
            .ToList();
        return _reconciler.ApplyAsync(specs, reason);
    }

    public void Dispose() => _gate.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = Diagnostics.LogEventIds.StoredBotInvalid, Level = LogLevel.Error, Message = "Bot {BotId} added through the API was not loaded: {Error}")]
        public static partial void StoredBotInvalid(ILogger logger, string botId, string error);
    }
}

public sealed record FleetApplyResult(FleetDiff? Diff, IReadOnlyList<FleetError> Errors)
{
    public bool Succeeded => Diff is not null;
}
