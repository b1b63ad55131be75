using Botvisor.Core.Fleet;

namespace Botvisor.Core.Gateway;

/// <summary>
/// The token a gateway bot's worker gets instead of its real one: shaped like a real token
/// (<c>&lt;digits&gt;:&lt;35 characters&gt;</c>, which strict clients such as Telegram.Bot check), with the
/// real bot id as its digits (clients that key storage by the id see the same one) and a fresh random
/// secret for every worker run. It means nothing outside this daemon's gateway, and nothing there once
/// the run has ended. The secret comes from <see cref="KernelRandom"/>.
/// </summary>
public static class PlaceholderToken
{
    public const int SecretLength = 35;

    private static readonly char[] Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".ToCharArray();

    public static string For(BotToken real)
    {
        var digits = real.BotId ?? KernelRandom.GetInt32(100_000_000, int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return string.Concat(digits, ":", new string(KernelRandom.GetItems<char>(Alphabet, SecretLength)));
    }

    /// <summary>
    /// <paramref name="text"/> with the run's placeholder masked as a real token is (<c>123456:****</c>), and its
    /// secret half alone (as in a percent-encoded URL) as <c>****</c>: while its run lives, a placeholder
    /// opens the gateway for its bot to whoever reads it.
    /// </summary>
    public static string MaskIn(string text, string placeholder)
    {
        int colon = placeholder.IndexOf(':', StringComparison.Ordinal);
        var secret = colon < 0 ? placeholder : placeholder[(colon + 1)..];
        if (secret.Length == 0 || !text.Contains(secret, StringComparison.Ordinal)) return text;
        return text.Replace(placeholder, BotToken.Mask(placeholder), StringComparison.Ordinal).Replace(secret, "****", StringComparison.Ordinal);
    }
}
