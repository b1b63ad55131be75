namespace Botvisor.Api.Contracts;

/// <summary><c>GET /nodes</c>: every node of the cluster as the database sees it (one node without a cluster).</summary>
/// <param name="Cluster">False for a daemon on its own SQLite store.</param>
/// <param name="Self">The node that answered.</param>
public sealed record NodesResponse(bool Cluster, string Self, IReadOnlyList<NodeInfo> Nodes);

/// <summary>
/// One node: <c>state</c> is up, suspect (late, its bots stay), gone (silent past a lease, or left) or draining;
/// <c>fleet</c> is a digest of the bots it defines (nodes share bots only with nodes of the same fleet).
/// </summary>
public sealed record NodeInfo(
    string Name,
    string Version,
    string Address,
    DateTimeOffset LastHeartbeat,
    double HeartbeatAgeSeconds,
    int Bots,
    string State,
    string Fleet);

/// <summary><c>POST /nodes/{name}/drain</c> and <c>/undrain</c>.</summary>
public sealed record DrainResponse(string Node, bool Draining);
