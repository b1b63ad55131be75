namespace Botvisor.Core.Cluster;

/// <summary>
/// Where a cluster keeps its one desired state: the fleet document last published by any node (see
/// <see cref="FleetPublishing"/> for when a node publishes), and which document each node published last.
/// </summary>
public interface IClusterFleetStore
{
    /// <summary>This node's name.</summary>
    string Node { get; }

    /// <summary>The cluster's fleet; null before any node has published one.</summary>
    Task<PublishedFleet?> ReadFleetAsync(CancellationToken cancellationToken = default);

    /// <summary>The digest of the document <paramref name="node"/> published last; null if it never did.</summary>
    Task<string?> LastPublishedByAsync(string node, CancellationToken cancellationToken = default);

    /// <summary>
    /// Remembers that a person stopped <paramref name="botId"/> (<paramref name="actor"/>), or forgets it (null): a
    /// stopped bot stays stopped on every node, wherever it moves, until someone starts it.
    /// </summary>
    Task SetStoppedAsync(string botId, string? actor, CancellationToken cancellationToken = default);

    /// <summary>Makes <paramref name="document"/> the cluster's fleet, one generation on (unchanged when it is the same), and returns it.</summary>
    Task<PublishedFleet> PublishFleetAsync(FleetDocument document, string node, CancellationToken cancellationToken = default);
}
