using Botvisor.Core.State;

namespace Botvisor.Core.Health;

/// <summary>A bot's health verdict from the last result of each check.</summary>
public static class HealthVerdicts
{
    /// <summary>Unknown with no check, unhealthy if any check failed, else healthy.</summary>
    public static HealthVerdict Of(IReadOnlyDictionary<string, CheckResult> checks) =>
        checks.Count == 0 ? HealthVerdict.Unknown
        : checks.Values.Any(c => !c.Healthy) ? HealthVerdict.Unhealthy
        : HealthVerdict.Healthy;
}
