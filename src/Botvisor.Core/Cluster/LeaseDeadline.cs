namespace Botvisor.Core.Cluster;

/// <summary>What a node may do with a lease it holds, by its own monotonic clock.</summary>
public enum LeaseStanding
{
    /// <summary>Within the renew deadline: the worker may run and start.</summary>
    Valid,

    /// <summary>Past the renew deadline: stop the worker now (the node fences itself), nothing may start.</summary>
    Fenced,

    /// <summary>Past the point where a stop may no longer finish before the lease can expire: kill the worker's group at once.</summary>
    Kill,
}

/// <summary>
/// The self-fencing rule as a pure function. A lease's deadlines run from the <em>start</em> of the
/// node's last successful renewal (or claim): the database extended the lease to at least that instant
/// plus the lease, so at its renew deadline the node still has the grace (lease − renew deadline) to end
/// the worker before anyone else may take it. Measured on the monotonic clock, so a frozen process (SIGSTOP,
/// a paused VM, a long GC) wakes up already past its deadline and acts on that before anything else.
/// </summary>
public static class LeaseDeadline
{
    public static LeaseStanding Standing(TimeSpan sinceRenewalStarted, ClusterTiming timing)
    {
        if (sinceRenewalStarted < timing.RenewDeadline) return LeaseStanding.Valid;
        return sinceRenewalStarted < timing.RenewDeadline + timing.KillAfterDeadline ? LeaseStanding.Fenced : LeaseStanding.Kill;
    }
}
