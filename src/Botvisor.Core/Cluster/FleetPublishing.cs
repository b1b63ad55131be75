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
/// The rule for which fleet file wins in a cluster: the last one a person applied. A node publishes its file
/// when it is reloaded (SIGHUP, <c>botvisor reload</c>), when it is the first node, and when it starts with a
/// file changed since the one it published last (an edit followed by a restart). It adopts the cluster's fleet
/// when it joins with a file it never published, or restarts with the very file it published before (another
/// node has published since). Only a person's action publishes, so two nodes with different files never take
/// turns: there is no flip-flop.
/// </summary>
public static class FleetPublishing
{
    /// <param name="file">The digest of this node's file.</param>
    /// <param name="cluster">The digest of the cluster's fleet; null when there is none yet.</param>
    /// <param name="lastPublished">The digest this node published last; null if it never did.</param>
    /// <param name="reload">A reload (a person asked for this file), rather than the daemon's start.</param>
    public static FleetChoice Decide(string file, string? cluster, string? lastPublished, bool reload)
    {
        if (cluster is null) return FleetChoice.Publish;
        if (cluster == file) return FleetChoice.Same;
        if (reload) return FleetChoice.Publish;
        return lastPublished is not null && lastPublished != file ? FleetChoice.Publish : FleetChoice.Adopt;
    }
}
