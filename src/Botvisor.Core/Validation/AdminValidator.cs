namespace Botvisor.Core.Validation;

/// <summary>
/// The admin bot's token has Telegram's shape and is no bot's token: the daemon polls it itself, and
/// a fleet bot polling the same token would take its updates (Telegram answers 409 to one of the two).
/// </summary>
public sealed class AdminValidator : IFleetValidator
{
    public string Name => "admin";

    public void Validate(FleetValidationContext context)
    {
        if (context.Fleet.Admin is not { } admin) return;
        var secret = admin.Token.Reveal();
        if (!TokenValidator.IsTelegramShape(secret))
        {
            context.Report("admin.token",
                $"this is not a Telegram bot token; @BotFather's tokens are the bot's numeric id, a colon and {TokenValidator.SecretLength} characters of A-Z, a-z, 0-9, _ and - (such as 123456789:AAH…)",
                admin.Token.Masked);
        }
        foreach (var bot in context.Fleet.Bots)
        {
            if (bot.Token is not null && bot.Token.Equals(admin.Token))
            {
                context.Report("admin.token",
                    $"bot '{bot.Id}' uses the admin bot's token; one token can have only one poller (give the admin bot a token of its own from @BotFather)",
                    admin.Token.Masked);
            }
        }
    }
}
