using Botvisor.Core.Configuration;

namespace Botvisor.Core.Cluster;

/// <summary>
/// The lease's timing (<c>cluster: { lease: 15s, renew_deadline: 10s, retry: 2s }</c>), in the spirit of
/// Kubernetes' leader election: a lease lasts <see cref="Lease"/> from its last renewal by the database's
/// clock; its holder renews every <see cref="Retry"/>, and ends its workers itself when it has not renewed
/// within <see cref="RenewDeadline"/> of the start of its last successful renewal (its own monotonic clock).
/// The difference between lease and renew deadline is the margin that covers the stop of the workers and
/// the clocks' rates; lease &gt; renew deadline &gt; 1.2 × retry.
/// </summary>
public sealed record ClusterTiming(TimeSpan Lease, TimeSpan RenewDeadline, TimeSpan Retry)
{
    public static readonly ClusterTiming Default = new(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));

    /// <summary>The shortest retry accepted (a tighter loop only loads the database).</summary>
    public static readonly TimeSpan MinRetry = TimeSpan.FromMilliseconds(100);

    /// <summary>The time between the renew deadline and the lease's expiry: the workers' stop must fit in it.</summary>
    public TimeSpan Grace => Lease - RenewDeadline;

    /// <summary>When a fenced worker that is still alive is killed (SIGKILL): halfway through the grace.</summary>
    public TimeSpan KillAfterDeadline => Grace / 2;

    /// <summary>Every rule the three values break, as text naming the key and value; empty when they are valid.</summary>
    public IReadOnlyList<(string Key, string Message)> Problems()
    {
        var problems = new List<(string, string)>();
        if (Retry < MinRetry) problems.Add(("retry", $"retry {DurationParser.Format(Retry)} is shorter than {DurationParser.Format(MinRetry)}"));
        if (RenewDeadline <= Retry * 1.2)
        {
            problems.Add(("renew_deadline", $"renew_deadline {DurationParser.Format(RenewDeadline)} must be more than 1.2 × retry ({DurationParser.Format(Retry * 1.2)}): a node must get more than one try to renew before it fences itself"));
        }
        if (Lease <= RenewDeadline)
        {
            problems.Add(("lease", $"lease {DurationParser.Format(Lease)} must be longer than renew_deadline {DurationParser.Format(RenewDeadline)}: a node must end its workers before its lease can expire"));
        }
        return problems;
    }
}
