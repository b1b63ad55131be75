namespace Botvisor.Core.Cluster;

/// <summary>How a node looks to the cluster, from its heartbeat's age by the database's clock.</summary>
public enum NodeState
{
    /// <summary>Renewed within its renew deadline.</summary>
    Up,

    /// <summary>Late (past the renew deadline) but its leases may still be valid: its bots stay where they are.</summary>
    Suspect,

    /// <summary>Silent for longer than a lease, or left cleanly: its bots are placed elsewhere.</summary>
    Gone,

    /// <summary>Alive, but its bots are moving away (<c>botvisor nodes drain</c>).</summary>
    Draining,
}

public static class NodeStates
{
    /// <summary>The state of <paramref name="node"/> under <paramref name="timing"/> (pure).</summary>
    public static NodeState Classify(NodeRow node, ClusterTiming timing)
    {
        if (node.Left || node.HeartbeatAge > timing.Lease) return NodeState.Gone;
        if (node.Draining) return NodeState.Draining;
        return node.HeartbeatAge > timing.RenewDeadline ? NodeState.Suspect : NodeState.Up;
    }

    /// <summary>Whether bots may be placed on a node in this state.</summary>
    public static bool TakesBots(this NodeState state) => state is NodeState.Up or NodeState.Suspect;

    public static string ToName(this NodeState state) => state switch
    {
        NodeState.Up => "up",
        NodeState.Suspect => "suspect",
        NodeState.Gone => "gone",
        _ => "draining",
    };
}
