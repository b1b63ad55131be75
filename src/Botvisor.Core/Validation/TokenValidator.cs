namespace Botvisor.Core.Validation;

/// <summary>
/// A token has Telegram's shape (digits, a colon, 35 URL-safe characters), and one token has one
/// poller: two bots with the same token would both call getUpdates and Telegram would answer 409 to
/// one of them, so a fleet may hold each token once.
/// </summary>
public sealed class TokenValidator : IFleetValidator
{
    /// <summary>The length of the secret after the colon in every token Telegram issues.</summary>
    public const int SecretLength = 35;

    public string Name => "token";

    /// <summary>Telegram's shape exactly: the bot's numeric id, a colon, 35 characters of [A-Za-z0-9_-].</summary>
    public static bool IsTelegramShape(string token)
    {
        int colon = token.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && token.AsSpan(0, colon).IndexOfAnyExceptInRange('0', '9') < 0
            && token.Length - colon - 1 == SecretLength && IsUrlSafe(token.AsSpan(colon + 1));
    }

    /// <summary>Digits, a colon and URL-safe characters: something meant as a Telegram token, even a short or fake one.</summary>
    public static bool LooksLikeTelegramToken(string value)
    {
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < value.Length - 1 && value.AsSpan(0, colon).IndexOfAnyExceptInRange('0', '9') < 0 && IsUrlSafe(value.AsSpan(colon + 1));
    }

    private static bool IsUrlSafe(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-')) return false;
        }
        return true;
    }

    public void Validate(FleetValidationContext context)
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var bot in context.Fleet.Bots)
        {
            if (bot.Token is null) continue;
            var secret = bot.Token.Reveal();
            if (secret.Any(char.IsWhiteSpace))
            {
                context.Report($"bots.{bot.Id}.token", $"bot '{bot.Id}': the token contains whitespace", bot.Token.Masked);
            }
            else if (!IsTelegramShape(secret))
            {
                context.Report($"bots.{bot.Id}.token",
                    $"bot '{bot.Id}': this is not a Telegram bot token; @BotFather's tokens are the bot's numeric id, a colon and {SecretLength} characters of A-Z, a-z, 0-9, _ and - (such as 123456789:AAH…)",
                    bot.Token.Masked);
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
