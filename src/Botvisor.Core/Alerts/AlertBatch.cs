namespace Botvisor.Core.Alerts;

/// <summary>One alert as told: its key, why, since when, and (for a recovery) when and why it ended.</summary>
public sealed record AlertNotice(AlertKey Key, string Reason, DateTimeOffset StartedAt, DateTimeOffset? EndedAt = null, string? EndReason = null, long? EventId = null);

/// <summary>
/// One notification: what became due together. <see cref="Firing"/> are new problems,
/// <see cref="Repeated"/> problems that still stand after the repeat interval, <see cref="Resolved"/> recoveries.
/// </summary>
public sealed record AlertBatch(DateTimeOffset Time, IReadOnlyList<AlertNotice> Firing, IReadOnlyList<AlertNotice> Repeated, IReadOnlyList<AlertNotice> Resolved)
{
    public int Count => Firing.Count + Repeated.Count + Resolved.Count;
}
