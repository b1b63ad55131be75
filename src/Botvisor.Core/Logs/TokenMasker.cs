using System.Buffers;
using Botvisor.Core.Fleet;

namespace Botvisor.Core.Logs;

/// <summary>
/// Replaces every fleet token found in a text with its masked form (<c>123456:****</c>). Tokens of the
/// usual shape (<c>digits:secret</c>) are found by looking at each ':' once, so the cost does not grow
/// with the number of bots; tokens of any other shape are searched for one by one. The secret half of
/// a shaped token is masked on its own too (<c>****</c>): a bot that prints only that part must not
/// leave it in a log. It is found the same way, by looking up each long enough run of the characters
/// a secret is made of.
/// </summary>
public sealed class TokenMasker
{
    private volatile Snapshot _snapshot = new([], [], [], []);

    /// <summary>The characters of a token's secret half (Telegram's are 35 of these).</summary>
    private static readonly SearchValues<char> SecretChars = SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-");

    /// <summary>A secret half shorter than this is not masked on its own: it could be any word.</summary>
    public const int MinimumSecretHalf = 16;

    private sealed record Snapshot(HashSet<string> Shaped, string[] Other, HashSet<string> Halves, int[] HalfLengths, int MaxLength = 0);

    public void SetTokens(IEnumerable<BotToken> tokens)
    {
        var shaped = new HashSet<string>(StringComparer.Ordinal);
        var halves = new HashSet<string>(StringComparer.Ordinal);
        var other = new List<string>();
        foreach (var t in tokens)
        {
            var secret = t.Reveal();
            if (IsShaped(secret))
            {
                shaped.Add(secret);
                var half = secret[(secret.IndexOf(':', StringComparison.Ordinal) + 1)..];
                if (half.Length >= MinimumSecretHalf) halves.Add(half);
            }
            else other.Add(secret);
        }
        int[] lengths = halves.Select(h => h.Length).Distinct().Order().ToArray();
        _snapshot = new Snapshot(shaped, other.ToArray(), halves, lengths, shaped.Count == 0 ? 0 : shaped.Max(t => t.Length));
    }

    public string Mask(string text)
    {
        var snap = _snapshot;
        if (snap.Shaped.Count == 0 && snap.Other.Length == 0) return text;

        string result = text;
        if (snap.Shaped.Count > 0 && text.Contains(':', StringComparison.Ordinal)) result = MaskShaped(text, snap.Shaped, snap.MaxLength);
        if (snap.Halves.Count > 0) result = MaskHalves(result, snap.Halves, snap.HalfLengths);
        foreach (var secret in snap.Other)
        {
            if (result.Contains(secret, StringComparison.Ordinal)) result = result.Replace(secret, BotToken.Mask(secret), StringComparison.Ordinal);
        }
        return result;
    }

    /// <summary>
    /// Masks what a definition shows (a command's arguments): the fleet's tokens, and anything else in
    /// the shape of a Telegram token (<c>digits:</c> and at least 30 secret characters), which may be
    /// another service's token a bot was given on its command line.
    /// </summary>
    public string MaskDefinition(string text) => MaskAnyTokenShape(Mask(text));

    /// <summary>Every <c>digits:secret</c> run with a secret of 30 characters or more becomes <c>digits:****</c>.</summary>
    public static string MaskAnyTokenShape(string text)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0) return text;
        System.Text.StringBuilder? sb = null;
        int copied = 0;
        while (colon >= 0)
        {
            int start = colon;
            while (start > 0 && char.IsAsciiDigit(text[start - 1])) start--;
            int end = colon + 1;
            while (end < text.Length && IsSecretChar(text[end])) end++;
            if (colon - start >= 3 && end - colon - 1 >= 30)
            {
                sb ??= new System.Text.StringBuilder(text.Length);
                sb.Append(text, copied, colon + 1 - copied).Append("****");
                copied = end;
            }
            colon = text.IndexOf(':', Math.Max(end, colon + 1));
        }
        if (sb is null) return text;
        sb.Append(text, copied, text.Length - copied);
        return sb.ToString();
    }

    private static string MaskHalves(string text, HashSet<string> halves, int[] lengths)
    {
        int shortest = lengths[0];
        var lookup = halves.GetAlternateLookup<ReadOnlySpan<char>>();
        System.Text.StringBuilder? sb = null;
        int copied = 0;
        int i = 0;
        while (i < text.Length)
        {
            int runStart = text.AsSpan(i).IndexOfAny(SecretChars);
            if (runStart < 0) break;
            runStart += i;
            int runLength = text.AsSpan(runStart).IndexOfAnyExcept(SecretChars);
            int runEnd = runLength < 0 ? text.Length : runStart + runLength;
            if (runEnd - runStart >= shortest)
            {
                // A secret may be glued to other word characters ("tokenSECRET"): try every window of a secret's length.
                for (int s = runStart; s + shortest <= runEnd; s++)
                {
                    bool found = false;
                    foreach (int length in lengths)
                    {
                        if (s + length > runEnd) break;
                        if (!lookup.Contains(text.AsSpan(s, length))) continue;
                        sb ??= new System.Text.StringBuilder(text.Length);
                        sb.Append(text, copied, s - copied).Append("****");
                        copied = s + length;
                        s = copied - 1;
                        found = true;
                        break;
                    }
                    if (found && copied + shortest > runEnd) break;
                }
            }
            i = runEnd;
        }
        if (sb is null) return text;
        sb.Append(text, copied, text.Length - copied);
        return sb.ToString();
    }

    private static string MaskShaped(string text, HashSet<string> tokens, int maxLength)
    {
        System.Text.StringBuilder? sb = null;
        int copied = 0;
        int i = text.IndexOf(':', StringComparison.Ordinal);
        while (i >= 0)
        {
            int start = i;
            while (start > 0 && char.IsAsciiDigit(text[start - 1])) start--;
            int end = i + 1;
            while (end < text.Length && IsSecretChar(text[end])) end++;
            if (start < i && end > i + 1)
            {
                var lookup = tokens.GetAlternateLookup<ReadOnlySpan<char>>();
                // The candidate may carry extra characters on either side; try the exact run first, then shorter suffixes.
                var candidate = text.AsSpan(start, end - start);
                if (!lookup.Contains(candidate)) candidate = FindKnownPrefix(text, start, i, end, maxLength, lookup);
                if (!candidate.IsEmpty)
                {
                    sb ??= new System.Text.StringBuilder(text.Length);
                    int tokenStart = start + (candidate.Length == end - start ? 0 : IndexWithin(text, start, i, candidate));
                    sb.Append(text, copied, tokenStart - copied);
                    sb.Append(text, tokenStart, i - tokenStart).Append(":****");
                    copied = tokenStart + candidate.Length;
                    i = text.IndexOf(':', copied);
                    continue;
                }
            }
            i = text.IndexOf(':', i + 1);
        }
        if (sb is null) return text;
        sb.Append(text, copied, text.Length - copied);
        return sb.ToString();
    }

    private static ReadOnlySpan<char> FindKnownPrefix(string text, int start, int colon, int end, int maxLength, HashSet<string>.AlternateLookup<ReadOnlySpan<char>> lookup)
    {
        // Digits before the colon may be longer than the bot id (e.g. "x1234:..."), and the secret may be followed by more word characters.
        for (int s = start; s < colon; s++)
        {
            for (int e = Math.Min(end, s + maxLength); e > colon + 1; e--)
            {
                var span = text.AsSpan(s, e - s);
                if (lookup.Contains(span)) return span;
            }
        }
        return default;
    }

    private static int IndexWithin(string text, int start, int colon, ReadOnlySpan<char> candidate)
    {
        for (int s = start; s < colon; s++)
        {
            if (text.AsSpan(s).StartsWith(candidate, StringComparison.Ordinal)) return s - start;
        }
        return 0;
    }

    private static bool IsShaped(string token)
    {
        int colon = token.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == token.Length - 1) return false;
        for (int k = 0; k < colon; k++) if (!char.IsAsciiDigit(token[k])) return false;
        for (int k = colon + 1; k < token.Length; k++) if (!IsSecretChar(token[k])) return false;
        return true;
    }

    private static bool IsSecretChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';
}
