namespace Botvisor.Api.Contracts;

/// <summary><c>GET /nodes</c>: every node of the cluster as the database sees it (one node without a cluster).</summary>
/// <param name="Cluster">False for a daemon on its own SQLite store.</param>
/// <param name="Self">The node that answered.</param>
/// <param name="Fleet">The cluster's fleet as the answering node runs it (null without a cluster).</param>
public sealed record NodesResponse(bool Cluster, string Self, IReadOnlyList<NodeInfo> Nodes, ClusterFleetInfo? Fleet = null);

/// <summary>The cluster's one desired state: the fleet file last published, by which node, when, and its digest.</summary>
public sealed record ClusterFleetInfo(long Generation, string Node, string Path, DateTimeOffset PublishedAt, string Digest);

/// <summary>
/// One node: <c>state</c> is up, suspect (late, its bots stay), gone (silent past a lease, or left) or draining;
/// <c>fleet</c> is the generation of the cluster's fleet it runs (bots are placed only on nodes that run the
/// same); <c>file</c> says whether its own fleet file is the cluster's (<c>same</c>) or not (<c>differs</c>).
/// </summary>
public sealed record NodeInfo(
    string Name,
    string Version,
    string Address,
    DateTimeOffset LastHeartbeat,
    double HeartbeatAgeSeconds,
    int Bots,
    string State,
    string Fleet,
    string File = "");

/// <summary><c>POST /nodes/{name}/drain</c> and <c>/undrain</c>.</summary>
public sealed record DrainResponse(string Node, bool Draining);
