using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace TelegramEmulator;

/// <summary>Tokens shaped like real ones: a numeric bot id, a colon, 35 characters of [A-Za-z0-9_-].</summary>
public static partial class TokenFormat
{
    [GeneratedRegex("^[0-9]{1,20}:[A-Za-z0-9_-]{35}$")]
    private static partial Regex Pattern();

    public static bool IsWellFormed(string token) => Pattern().IsMatch(token);

    public static string New(long botId)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
        var secret = new char[35];
        secret[0] = 'A';
        secret[1] = 'A';
        for (int i = 2; i < secret.Length; i++) secret[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        return $"{botId}:{new string(secret)}";
    }
}
