using Botvisor.Core.Fleet;

namespace Botvisor.Core.Logs;

/// <summary>
/// Replaces every fleet token found in a text with its masked form (<c>123456:****</c>). Tokens of the
/// usual shape (<c>digits:secret</c>) are found by looking at each ':' once, so the cost does not grow
/// with the number of bots; tokens of any other shape are searched for one by one.
/// </summary>
public sealed class TokenMasker
{
    private volatile Snapshot _snapshot = new([], []);

    private sealed record Snapshot(HashSet<string> Shaped, string[] Other, int MaxLength = 0);

    public void SetTokens(IEnumerable<BotToken> tokens)
    {
        var shaped = new HashSet<string>(StringComparer.Ordinal);
        var other = new List<string>();
        foreach (var t in tokens)
        {
            var secret = t.Reveal();
            if (IsShaped(secret)) shaped.Add(secret);
            else other.Add(secret);
        }
        _snapshot = new Snapshot(shaped, other.ToArray(), shaped.Count == 0 ? 0 : shaped.Max(t => t.Length));
    }

    public string Mask(string text)
    {
        var snap = _snapshot;
        if (snap.Shaped.Count == 0 && snap.Other.Length == 0) return text;

        string result = text;
        if (snap.Shaped.Count > 0 && text.Contains(':', StringComparison.Ordinal)) result = MaskShaped(text, snap.Shaped, snap.MaxLength);
        foreach (var secret in snap.Other)
        {
            if (result.Contains(secret, StringComparison.Ordinal)) result = result.Replace(secret, BotToken.Mask(secret), StringComparison.Ordinal);
        }
        return result;
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
