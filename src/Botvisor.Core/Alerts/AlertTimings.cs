using Botvisor.Core.Fleet;

namespace Botvisor.Core.Alerts;

/// <summary>The effective timings of the alert engine: the fleet file's <c>alerts:</c> over <see cref="AlertDefaults"/>.</summary>
public sealed record AlertTimings
{
    public TimeSpan Wait { get; init; } = AlertDefaults.Wait;
    public TimeSpan Group { get; init; } = AlertDefaults.Group;
    public TimeSpan Repeat { get; init; } = AlertDefaults.Repeat;
    public TimeSpan UnhealthyAfter { get; init; } = AlertDefaults.UnhealthyAfter;
    public int StormRestarts { get; init; } = AlertDefaults.StormRestarts;
    public TimeSpan StormWindow { get; init; } = AlertDefaults.StormWindow;
    public int DigestAfter { get; init; } = AlertDefaults.DigestAfter;
    public TimeSpan QuietResolve { get; init; } = AlertDefaults.QuietResolve;

    public static AlertTimings From(AlertsConfig? config)
    {
        var c = config ?? AlertsConfig.Empty;
        var window = c.StormWindow ?? AlertDefaults.StormWindow;
        return new AlertTimings
        {
            Wait = c.Wait ?? AlertDefaults.Wait,
            Group = c.Group ?? AlertDefaults.Group,
            Repeat = c.Repeat ?? AlertDefaults.Repeat,
            UnhealthyAfter = c.UnhealthyAfter ?? AlertDefaults.UnhealthyAfter,
            StormRestarts = c.StormRestarts ?? AlertDefaults.StormRestarts,
            StormWindow = window,
            DigestAfter = c.DigestAfter ?? AlertDefaults.DigestAfter,
            QuietResolve = window > AlertDefaults.QuietResolve ? window : AlertDefaults.QuietResolve,
        };
    }
}
