using Botvisor.Api.Contracts;
using Botvisor.Core.Cluster;

namespace Botvisor.Hosting;

/// <summary>
/// Which node runs a bot, and what that node says about it. On a daemon on its own, every bot is this node's.
/// In a cluster, a bot whose lease another node holds is shown as that node sees it (<see cref="PeerBots"/>:
/// one request per node, all at once), or as <c>unknown</c> when the node does not answer: never as the
/// waiting copy this node keeps of it.
/// </summary>
public sealed class BotNodes(IServiceProvider services)
{
    public const string Unknown = "unknown";

    private readonly ClusterCoordinator? _coordinator = services.GetService<ClusterCoordinator>();
    private readonly PeerBots? _peers = services.GetService<PeerBots>();

    /// <summary>The node that holds the bot's lease (this node's name too); null on a daemon on its own, or when no node holds it.</summary>
    public string? Of(string botId) => _coordinator?.HolderOf(botId);

    /// <summary>This node's name in a cluster; null on a daemon on its own.</summary>
    public string? Self => _coordinator?.Self.Name;

    /// <summary>The epoch of the bot's lease when this node holds it.</summary>
    public long? EpochOf(string botId) => _coordinator?.Leases.HeldEpoch(botId);

    /// <summary>
    /// <paramref name="local"/> (this node's view of its bots, in id order) with every bot held elsewhere replaced by its node's
    /// answer, and the bots only other nodes define added. A request from another node is answered from this node's view alone.
    /// </summary>
    public async Task<List<BotStatus>> CompleteAsync(List<BotStatus> local, bool fromPeer)
    {
        if (fromPeer || _coordinator?.View is not { } view || _peers is null) return local;
        var elsewhere = HeldElsewhere(view, _coordinator.Self.Name);
        if (elsewhere.Count == 0) return local;
        var answers = await AskAsync(elsewhere, elsewhere.Keys).ConfigureAwait(false);
        var result = new List<BotStatus>(local.Count);
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var bot in local)
        {
            known.Add(bot.Id);
            result.Add(elsewhere.TryGetValue(bot.Id, out var lease) ? FromHolder(bot.Id, lease, answers[lease.Holder!], bot) ?? bot : bot);
        }
        bool added = false;
        foreach (var (id, lease) in elsewhere)
        {
            if (known.Contains(id) || FromHolder(id, lease, answers[lease.Holder!], null) is not { } other) continue;
            result.Add(other);
            added = true;
        }
        if (added) result.Sort((x, y) => string.CompareOrdinal(x.Id, y.Id));
        return result;
    }

    /// <summary>One bot, as <see cref="CompleteAsync(List{BotStatus}, bool)"/> shows it; null when no node knows it.</summary>
    public async Task<BotStatus?> CompleteAsync(string botId, BotStatus? local, bool fromPeer)
    {
        if (fromPeer || _coordinator?.View is not { } view || _peers is null) return local;
        if (view.Leases.FirstOrDefault(l => l.BotId == botId) is not { Holder: { } holder, Expired: false } lease || holder == _coordinator.Self.Name) return local;
        var only = new Dictionary<string, LeaseRow>(StringComparer.Ordinal) { [botId] = lease };
        var answers = await AskAsync(only, [botId]).ConfigureAwait(false);
        return FromHolder(botId, lease, answers[holder], local);
    }

    private static Dictionary<string, LeaseRow> HeldElsewhere(ClusterView view, string self)
    {
        var result = new Dictionary<string, LeaseRow>(StringComparer.Ordinal);
        foreach (var lease in view.Leases)
        {
            if (lease is { Holder: { } holder, Expired: false } && holder != self) result[lease.BotId] = lease;
        }
        return result;
    }

    /// <summary>
    /// Asks every holder at once. An answer that was cached before the lease it should show (another node, or an older
    /// epoch: the bot moved since) is asked for again, once; what the node says then is shown as it is.
    /// </summary>
    private async Task<Dictionary<string, PeerAnswer>> AskAsync(Dictionary<string, LeaseRow> leases, IEnumerable<string> bots)
    {
        var nodes = leases.Values.Select(l => l.Holder!).Distinct(StringComparer.Ordinal).ToList();
        var answers = (await Task.WhenAll(nodes.Select(n => _peers!.AskAsync(n))).ConfigureAwait(false)).ToDictionary(a => a.Node, StringComparer.Ordinal);
        var outdated = bots.Select(b => leases[b]).Where(l => answers[l.Holder!] is { Bots: { } known } && !Current(known.GetValueOrDefault(l.BotId), l))
            .Select(l => answers[l.Holder!]).Distinct().ToList();
        if (outdated.Count > 0)
        {
            foreach (var again in await Task.WhenAll(outdated.Select(a => _peers!.AskAsync(a.Node, notBefore: a.AskedAt + 1))).ConfigureAwait(false)) answers[again.Node] = again;
        }
        return answers;
    }

    /// <summary>Whether a node's answer shows the lease as the database does: held by that node, with the same epoch or a later one.</summary>
    private static bool Current(BotStatus? shown, LeaseRow lease) => shown is not null && shown.Node == lease.Holder && shown.LeaseEpoch >= lease.Epoch;

    private static BotStatus? FromHolder(string botId, LeaseRow lease, PeerAnswer answer, BotStatus? local)
    {
        string holder = lease.Holder!;
        if (answer.Bots is { } bots)
        {
            if (bots.TryGetValue(botId, out var shown)) return shown with { Node = shown.Node ?? holder };
            return local is null ? null : UnknownOn(local, holder, $"node {holder} does not define the bot");
        }
        return local is null ? null : UnknownOn(local, holder, $"node {holder} not answering: {answer.Failure}");
    }

    /// <summary>What can be said of a bot whose node is silent: its definition, not its state.</summary>
    private static BotStatus UnknownOn(BotStatus local, string holder, string reason) => local with
    {
        State = Unknown,
        Reason = reason,
        Node = holder,
        LeaseEpoch = null,
        Pid = null,
        StartedAt = null,
        UptimeSeconds = null,
        Restarts = 0,
        LastExit = null,
        NextStartAt = null,
        Health = Unknown,
        Checks = null,
        Resources = null,
        Ready = false,
        StatusText = null,
        Gateway = null,
        Username = null,
        Conflicts = 0,
    };
}
