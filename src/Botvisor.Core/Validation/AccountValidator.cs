using Botvisor.Core.Supervision;

namespace Botvisor.Core.Validation;

/// <summary>
/// <c>user:</c> and <c>group:</c> (per bot or in <c>defaults:</c>) must name accounts that exist, and
/// switching to another account needs the daemon to run as root and util-linux's <c>setpriv</c>.
/// </summary>
public sealed class AccountValidator : IFleetValidator
{
    public string Name => "account";

    public void Validate(FleetValidationContext context)
    {
        var defaults = context.Fleet.Defaults;
        if (defaults.User is { } du) CheckUser(context, "defaults.user", du);
        if (defaults.Group is { } dg) CheckGroup(context, "defaults.group", dg);
        foreach (var bot in context.Fleet.Bots)
        {
            var p = "bots." + bot.Id;
            if (bot.User is { } user) CheckUser(context, p + ".user", user);
            if (bot.Group is { } group) CheckGroup(context, p + ".group", group);
        }
    }

    private static void CheckUser(FleetValidationContext context, string path, string name)
    {
        if (Accounts.FindUser(name) is not { } user)
        {
            context.Report(path, "no such user on this machine", name);
            return;
        }
        if (user.Uid != Accounts.EffectiveUid) CheckSwitch(context, path, name);
    }

    private static void CheckGroup(FleetValidationContext context, string path, string name)
    {
        if (Accounts.FindGroup(name) is null)
        {
            context.Report(path, "no such group on this machine", name);
            return;
        }
        CheckSwitch(context, path, name);
    }

    private static void CheckSwitch(FleetValidationContext context, string path, string name)
    {
        if (Accounts.EffectiveUid != 0)
        {
            context.Report(path, $"running a worker as another account needs the daemon to run as root (it runs as uid {Accounts.EffectiveUid})", name);
        }
        else if (WorkerCommand.Setpriv is null)
        {
            context.Report(path, "running a worker as another account needs util-linux's setpriv, which is not installed (apt install util-linux)", name);
        }
    }
}
