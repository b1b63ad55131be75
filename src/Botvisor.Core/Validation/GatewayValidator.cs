using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;

namespace Botvisor.Core.Validation;

/// <summary>
/// <c>gateway:</c> and <c>liveness:</c> make sense together: the gateway holds a bot's token for its
/// worker, so a bot asking for it has one; the poll gap is seen by the gateway, so a bot that sets it
/// runs behind the gateway. <c>defaults:</c> may set both for a fleet where some bots have no token
/// (they simply run without the gateway).
/// </summary>
public sealed class GatewayValidator : IFleetValidator
{
    /// <summary>The shortest gap worth watching: a long poll of a healthy bot returns at least this often only when it is busy.</summary>
    public static readonly TimeSpan MinimumPollGap = TimeSpan.FromSeconds(1);

    public string Name => "gateway";

    public void Validate(FleetValidationContext context)
    {
        var defaults = context.Fleet.Defaults;
        CheckGap(context, "defaults", defaults.Liveness);
        foreach (var bot in context.Fleet.Bots)
        {
            string p = "bots." + bot.Id;
            CheckGap(context, p, bot.Liveness);
            if (bot.Gateway == true && bot.Token is null)
            {
                context.Report(p + ".gateway", "the gateway holds the bot's token for its worker: give the bot a 'token:' or remove 'gateway: true'", "true");
            }
            bool behindGateway = bot.Token is not null && (bot.Gateway ?? defaults.Gateway ?? BotDefaults.Gateway);
            if (behindGateway && bot.Command.Any(arg => arg.Contains(bot.Token!.Reveal(), StringComparison.Ordinal)))
            {
                // The worker's command line is readable by every local user (ps, /proc/PID/cmdline): the point of the gateway is lost.
                context.Report(p + ".command", "the command contains the bot's token, which a gateway bot's worker must never hold: read BOT_TOKEN from the environment (the worker gets a placeholder there)");
            }
            if (bot.Liveness?.MaxPollGap is { } gap && !behindGateway)
            {
                context.Report(p + ".liveness.max_poll_gap", "the poll gap is watched by the gateway: the bot needs a 'token:' and 'gateway: true'", DurationParser.Format(gap));
            }
        }
    }

    private static void CheckGap(FleetValidationContext context, string p, LivenessConfig? liveness)
    {
        if (liveness?.MaxPollGap is { } gap && gap < MinimumPollGap)
        {
            context.Report(p + ".liveness.max_poll_gap", $"must be at least {DurationParser.Format(MinimumPollGap)} (a bot's long polls end and start again within it)", DurationParser.Format(gap));
        }
    }
}
