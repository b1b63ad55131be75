using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;

namespace Botvisor.Core.Sources;

/// <summary>
/// One provider of desired state, in the shape of YARP's config providers: it has a current state (the
/// last one the controller accepted), and proposes a next one when it changes (the fleet file on
/// SIGHUP, a bot added through the API; a remote source's poll next). Only <see cref="Reconciliation.FleetController"/>
/// accepts a proposal, after validating it with every other source's bots.
/// </summary>
public interface IFleetSource
{
    /// <summary>Where its bots come from, as bots and errors show it: the fleet file's path, <c>api</c>, …</summary>
    string Name { get; }

    /// <summary>The state last accepted (empty before the first).</summary>
    SourceState Current { get; }
}

/// <summary>
/// What a source gives at one moment: its bots as written and where each value was written. The fleet
/// file also gives the fleet's settings (<see cref="Settings"/>: defaults, base directory), which every
/// source's bots are resolved with.
/// </summary>
public sealed record SourceState(IReadOnlyList<BotConfig> Bots, SourceMap Locations, FleetConfig? Settings = null)
{
    public static readonly SourceState Empty = new([], new SourceMap(null));

    public bool Defines(string botId) => Bots.Any(b => b.Id == botId);
}
