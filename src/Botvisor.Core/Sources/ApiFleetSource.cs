using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;
using Botvisor.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Sources;

/// <summary>
/// Bots added through the API (and <c>botvisor add</c>): kept in the store as the definitions were given,
/// so they survive a restart of the daemon. A change is proposed, validated with the rest of the fleet
/// by the controller, stored, and only then applied.
/// </summary>
public sealed partial class ApiFleetSource(IFleetStore store, TimeProvider time, ILogger logger) : IFleetSource
{
    public const string SourceName = "api";

    /// <summary>How errors in request bodies name their source.</summary>
    public const string RequestBody = "request body";

    public string Name => SourceName;

    public SourceState Current { get; private set; } = SourceState.Empty;

    /// <summary>Reads the stored bots; one that no longer parses is skipped with an error in the log.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken = default) => Current = await ReadAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>The stored bots as a state, without making it current (a cluster's other nodes may have changed them).</summary>
    public async Task<SourceState> ReadAsync(CancellationToken cancellationToken = default)
    {
        var bots = new List<BotConfig>();
        foreach (var stored in await store.LoadBotsAsync(cancellationToken).ConfigureAwait(false))
        {
            var (bot, errors) = FleetFileLoader.ParseBotDocument(stored.Definition, SourceName, stored.Id);
            if (bot is null)
            {
                Log.StoredBotInvalid(logger, stored.Id, string.Join("; ", errors));
                continue;
            }
            bots.Add(bot);
        }
        return new SourceState(bots, new SourceMap(null));
    }

    /// <summary>Parses a definition from a request body; throws <see cref="FleetValidationException"/> with located errors.</summary>
    public static BotConfig Parse(string definition, string? routeId)
    {
        var (bot, errors) = FleetFileLoader.ParseBotDocument(definition, RequestBody, routeId);
        if (bot is null) throw new FleetValidationException(errors);
        return bot;
    }

    /// <summary>The state with <paramref name="bot"/> added or replaced (null: <paramref name="botId"/> removed).</summary>
    public SourceState With(string botId, BotConfig? bot)
    {
        // A replaced bot keeps its place; an added one comes last.
        var bots = bot is null ? Current.Bots.Where(b => b.Id != botId).ToList()
            : Current.Defines(botId) ? Current.Bots.Select(b => b.Id == botId ? bot : b).ToList()
            : [.. Current.Bots, bot];
        return Current with { Bots = bots };
    }

    /// <summary>At start, a stored bot that the fleet file now defines too gives way to the file (with an error in the log).</summary>
    internal SourceState WithoutClashes(SourceState file) => WithoutClashes(file, Current);

    /// <summary><paramref name="state"/> without the bots the fleet file defines too (logged: the file wins).</summary>
    internal SourceState WithoutClashes(SourceState file, SourceState state)
    {
        var clashes = state.Bots.Where(b => file.Defines(b.Id)).ToList();
        foreach (var clash in clashes) Log.StoredBotInvalid(logger, clash.Id, $"{file.Settings?.SourcePath} now defines a bot with the same id; the file wins");
        return clashes.Count == 0 ? state : state with { Bots = state.Bots.Where(b => !file.Defines(b.Id)).ToList() };
    }

    /// <summary>Stores the change (before it is applied: a change that cannot be stored is not made) and makes the state current.</summary>
    internal async Task AcceptAsync(SourceState next, string botId, string? definition, string actor)
    {
        if (definition is null) await store.DeleteBotAsync(botId).ConfigureAwait(false);
        else await store.SaveBotAsync(new StoredBot(botId, definition, time.GetUtcNow(), actor)).ConfigureAwait(false);
        Current = next;
    }

    /// <summary>A state that needs no storing (stored bots dropped at start because the file defines them).</summary>
    internal void Accept(SourceState next) => Current = next;

    private static partial class Log
    {
        [LoggerMessage(EventId = Diagnostics.LogEventIds.StoredBotInvalid, Level = LogLevel.Error, Message = "Bot {BotId} added through the API was not loaded: {Error}")]
        public static partial void StoredBotInvalid(ILogger logger, string botId, string error);
    }
}
