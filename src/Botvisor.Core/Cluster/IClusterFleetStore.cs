namespace Botvisor.Core.Cluster;

/// <summary>
/// Where a cluster keeps its one desired state: the fleet document last published by any node (see
/// <see cref="FleetPublishing"/> for when a node publishes), the file each node read last, and what a person
/// last asked of each bot.
/// </summary>
public interface IClusterFleetStore
{
    /// <summary>This node's name.</summary>
    string Node { get; }

    /// <summary>The cluster's fleet; null before any node has published one.</summary>
    Task<PublishedFleet?> ReadFleetAsync(CancellationToken cancellationToken = default);

    /// <summary>The cluster's fleet without its text (generation, who, when, digest); null before any.</summary>
    Task<PublishedFleet?> ReadFleetHeaderAsync(CancellationToken cancellationToken = default);

    /// <summary>The digest of this node's file when it last read it (at a start or a reload); null if it never did.</summary>
    Task<string?> LastReadAsync(CancellationToken cancellationToken = default);

    /// <summary>Records the digest of this node's file as read now (its next edit is then a change to publish).</summary>
    Task RecordReadAsync(string digest, CancellationToken cancellationToken = default);

    /// <summary>True when another live daemon has this node's name (this one then publishes nothing).</summary>
    Task<bool> NameTakenAsync(CancellationToken cancellationToken = default);

    /// <summary>Makes <paramref name="document"/> the cluster's fleet, one generation on (unchanged when it is the same), records it as read, and returns it.</summary>
    Task<PublishedFleet> PublishFleetAsync(FleetDocument document, CancellationToken cancellationToken = default);

    /// <summary>
    /// Remembers what a person asked of <paramref name="botId"/>: to run or to stay stopped (<paramref name="running"/>),
    /// so that every node follows it wherever the bot moves; null forgets it (the bot left the desired state).
    /// </summary>
    Task SetWishAsync(string botId, bool? running, string actor, CancellationToken cancellationToken = default);
}
