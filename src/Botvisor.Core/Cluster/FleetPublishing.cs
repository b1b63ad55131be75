namespace Botvisor.Core.Cluster;

/// <summary>What a node does with its fleet file in a cluster.</summary>
public enum FleetChoice
{
    /// <summary>The file is the cluster's fleet already.</summary>
    Same,

    /// <summary>The file becomes the cluster's fleet (a new generation); every node applies it.</summary>
    Publish,

    /// <summary>The node runs the cluster's fleet, not its file (which differs, and shows so in <c>botvisor nodes</c>).</summary>
    Adopt,
}

/// <summary>
/// The rule for which fleet file wins in a cluster: the last one a person changed. A node publishes its file
/// (the parts that say which bots run) when it is the first node, when the file changed since this node last
/// read it (an edit, then a reload or a restart), and when a person asks (<c>botvisor reload --publish</c>).
/// Otherwise it runs the cluster's fleet: a node that joins with another file, that restarts or reloads with
/// the file it read before (to pick up its own settings, say), or whose name another live daemon has. Only
/// a change a person made publishes, so nodes with different files never take turns: there is no flip-flop.
/// </summary>
public static class FleetPublishing
{
    /// <param name="file">The digest of this node's file.</param>
    /// <param name="cluster">The digest of the cluster's fleet; null when there is none yet.</param>
    /// <param name="lastRead">The digest of this node's file when it last read it; null if it never did (it joins).</param>
    /// <param name="publish">A person asked to publish this file.</param>
    public static FleetChoice Decide(string file, string? cluster, string? lastRead, bool publish)
    {
        if (cluster is null) return FleetChoice.Publish;
        if (cluster == file) return FleetChoice.Same;
        if (publish) return FleetChoice.Publish;
        return lastRead is not null && lastRead != file ? FleetChoice.Publish : FleetChoice.Adopt;
    }
}
