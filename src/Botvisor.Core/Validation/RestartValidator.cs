using System.Globalization;
using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;

namespace Botvisor.Core.Validation;

/// <summary>Backoff, budget and stop timing must make sense, in <c>defaults:</c> and in every bot.</summary>
public sealed class RestartValidator : IFleetValidator
{
    public string Name => "restart";

    public void Validate(FleetValidationContext context)
    {
        var d = context.Fleet.Defaults;
        Check(context, "defaults", d.Backoff, d.StopTimeout);
        CheckHealth(context, "defaults", d.Watchdog, d.StartTimeout, null);
        foreach (var bot in context.Fleet.Bots)
        {
            Check(context, "bots." + bot.Id, bot.Backoff, bot.StopTimeout);
            CheckHealth(context, "bots." + bot.Id, bot.Watchdog, bot.StartTimeout, bot.Health);
        }
    }

    private static void CheckHealth(FleetValidationContext context, string p, TimeSpan? watchdog, TimeSpan? startTimeout, HttpProbeConfig? probe)
    {
        if (watchdog is { } w && w < TimeSpan.FromMilliseconds(10)) context.Report(p + ".watchdog", "must be at least 10ms", DurationParser.Format(w));
        if (startTimeout is { } s && s <= TimeSpan.Zero) context.Report(p + ".start_timeout", "must be longer than zero", DurationParser.Format(s));
        if (probe is null) return;
        if (probe.Interval is { } i && i <= TimeSpan.Zero) context.Report(p + ".health.interval", "must be longer than zero", DurationParser.Format(i));
        if (probe.Timeout is { } t && t <= TimeSpan.Zero) context.Report(p + ".health.timeout", "must be longer than zero", DurationParser.Format(t));
    }

    private static void Check(FleetValidationContext context, string p, BackoffConfig? backoff, TimeSpan? stopTimeout)
    {
        if (stopTimeout is { } st && st <= TimeSpan.Zero)
        {
            context.Report(p + ".stop_timeout", "must be longer than zero", DurationParser.Format(st));
        }
        if (backoff is null) return;
        if (backoff.Initial is { } i && i < TimeSpan.Zero)
        {
            context.Report(p + ".backoff.initial", "must not be negative (0s restarts at once)", DurationParser.Format(i));
        }
        if (backoff.Multiplier is { } m && (m < 1 || m > 100))
        {
            context.Report(p + ".backoff.multiplier", "must be between 1 and 100", m.ToString(CultureInfo.InvariantCulture));
        }
        if (backoff.Jitter is { } j && (j < 0 || j > 1))
        {
            context.Report(p + ".backoff.jitter", "must be a fraction between 0 and 1", j.ToString(CultureInfo.InvariantCulture));
        }
        if (backoff is { Initial: { } init, Max: { } max } && max < init)
        {
            context.Report(p + ".backoff.max", $"must not be shorter than backoff.initial ({DurationParser.Format(init)})", DurationParser.Format(max));
        }
    }
}
