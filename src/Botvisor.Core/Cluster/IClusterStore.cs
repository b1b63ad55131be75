namespace Botvisor.Core.Cluster;

/// <summary>
/// The shared part of a cluster's store: the nodes and the per-bot leases. Every expiry and every age
/// is computed by the database's clock (<c>now()</c>), never by a node's: nodes whose clocks disagree
/// still agree on who holds what. Leases are claimed with row locks in short transactions, never with
/// session-scoped locks (which a connection pool or a pooler silently breaks).
/// </summary>
public interface IClusterStore
{
    /// <summary>
    /// One round trip per renew interval: the node's heartbeat (its row is created or updated) and the
    /// renewal of every lease it holds that has not expired, to <paramref name="lease"/> from now.
    /// Returns the leases it still holds (those renewed) and the cluster as the database sees it.
    /// </summary>
    Task<ClusterView> HeartbeatAsync(NodeRegistration node, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims the leases of <paramref name="botIds"/> that are free (no holder, or expired by the database's
    /// clock), skipping rows another node has locked; each claimed lease's epoch grows by one.
    /// </summary>
    Task<IReadOnlyList<LeaseGrant>> ClaimAsync(NodeRegistration node, IReadOnlyCollection<string> botIds, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Releases leases this node holds (with these epochs): a handover's last step, after its worker ended.</summary>
    Task ReleaseAsync(NodeRegistration node, IReadOnlyCollection<LeaseGrant> leases, CancellationToken cancellationToken = default);

    /// <summary>Marks a node as draining (its bots move away) or not; false when there is no such node.</summary>
    Task<bool> SetDrainingAsync(string node, bool draining, CancellationToken cancellationToken = default);

    /// <summary>A node that stops cleanly: its leases are released and it is marked as having left.</summary>
    Task LeaveAsync(NodeRegistration node, CancellationToken cancellationToken = default);

    /// <summary>The secret nodes present to each other (made by the database's strong random generator on first use; the same for every node).</summary>
    Task<string> ClusterSecretAsync(CancellationToken cancellationToken = default);
}

/// <summary>What a node says about itself with each heartbeat.</summary>
/// <param name="Fleet">The generation of the cluster's fleet this node runs: nodes share bots only with nodes that run the same.</param>
/// <param name="Instance">This daemon process's own id: a name belongs to one live daemon at a time.</param>
/// <param name="File">The digest of this node's own fleet file (<see cref="FleetDocument.Digest"/>): shows whether it is the cluster's.</param>
public sealed record NodeRegistration(string Name, string Version, string Address, string Fleet = "", string Instance = "", string File = "");

/// <summary>A lease this node holds: the bot and the epoch of its holding.</summary>
public sealed record LeaseGrant(string BotId, long Epoch);

/// <summary>A node's row, with its heartbeat's age by the database's clock.</summary>
public sealed record NodeRow(string Name, string Version, string Address, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt, TimeSpan HeartbeatAge, bool Draining, bool Left, string Fleet = "", string File = "");

/// <summary>A lease's row: <see cref="Holder"/> null when free; <see cref="Expired"/> by the database's clock.</summary>
public sealed record LeaseRow(string BotId, string? Holder, long Epoch, bool Expired);

/// <summary>
/// The cluster at one instant of the database's clock; <see cref="BotsVersion"/> changes whenever a bot added
/// through the API does, <see cref="FleetGeneration"/> whenever a node publishes its fleet file.
/// </summary>
public sealed record ClusterView(IReadOnlyList<LeaseGrant> Renewed, IReadOnlyList<NodeRow> Nodes, IReadOnlyList<LeaseRow> Leases, string BotsVersion = "")
{
    public long FleetGeneration { get; init; }

    /// <summary>What a person last asked of a bot (started or stopped), which every node follows wherever the bot runs.</summary>
    public IReadOnlyDictionary<string, BotWish> Wishes { get; init; } = new Dictionary<string, BotWish>();

    /// <summary>False when another live daemon has this node's name: this one renews and claims nothing.</summary>
    public bool Accepted { get; init; } = true;
}

/// <summary>What a person last asked of a bot in a cluster: to run (<see cref="Running"/>) or to stay stopped, who asked, and when (by the database's clock).</summary>
public sealed record BotWish(bool Running, string Actor, DateTimeOffset At = default);
