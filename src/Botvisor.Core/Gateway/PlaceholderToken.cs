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
}
