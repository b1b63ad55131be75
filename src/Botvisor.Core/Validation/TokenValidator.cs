namespace Botvisor.Core.Validation;

/// <summary>
/// One token, one poller: two bots with the same token would both call getUpdates and Telegram
/// would answer 409 to one of them, so a fleet may hold each token once.
/// </summary>
public sealed class TokenValidator : IFleetValidator
{
    public string Name => "token";

    public void Validate(FleetValidationContext context)
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var bot in context.Fleet.Bots)
        {
            if (bot.Token is null) continue;
            var secret = bot.Token.Reveal();
            if (secret.Any(char.IsWhiteSpace))
            {
                context.Report($"bots.{bot.Id}.token", "the token contains whitespace", bot.Token.Masked);
            }
            if (owners.TryGetValue(secret, out var first))
            {
                context.Report($"bots.{bot.Id}.token",
                    $"bot '{first}' already uses this token; one token can have only one poller (Telegram answers 409 Conflict to the second)",
                    bot.Token.Masked);
            }
            else
            {
                owners[secret] = bot.Id;
            }
        }
    }
}
