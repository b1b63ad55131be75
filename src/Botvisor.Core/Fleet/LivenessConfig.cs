namespace Botvisor.Core.Fleet;

/// <summary>
/// <c>liveness:</c>: what the gateway watches of a running worker. A worker whose process lives but
/// whose polling stopped (no getUpdates for <see cref="MaxPollGap"/>) is restarted for that reason.
/// </summary>
public sealed record LivenessConfig
{
    public TimeSpan? MaxPollGap { get; init; }
}
