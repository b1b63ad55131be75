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
        foreach (var bot in context.Fleet.Bots) Check(context, "bots." + bot.Id, bot.Backoff, bot.StopTimeout);
    }

    private static void Check(FleetValidationContext context, string p, BackoffConfig? backoff, TimeSpan? stopTimeout)
    {
        if (stopTimeout is { } st && st <= TimeSpan.Zero)
        {
            context.Report(p + ".stop_timeout", "must be longer than zero", DurationParser.Format(st));
        }
        if (backoff is null) return;
        if (backoff.Initial is { } i && i <= TimeSpan.Zero)
        {
            context.Report(p + ".backoff.initial", "must be longer than zero", DurationParser.Format(i));
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
