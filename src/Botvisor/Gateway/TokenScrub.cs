using System.Text;

namespace Botvisor.Gateway;

/// <summary>
/// What replaces a run's real token in whatever comes back from upstream (bodies and every header value):
/// the token itself and its percent-encoded forms (<c>%3A</c>, <c>%3a</c> for the colon, as in a URL a proxy
/// echoes), each by the placeholder in the same form. Replacements are the length of what they replace
/// (placeholders copy the real token's id and length; otherwise the secret part becomes asterisks), so a
/// Content-Length still holds.
/// </summary>
internal sealed class TokenScrub
{
    /// <summary>How a token's colon is written where it comes back: plain, or percent-encoded in either case.</summary>
    public static readonly string[] Colons = [":", "%3A", "%3a"];

    private readonly (string Find, string Replace)[] _strings;
    private readonly (byte[] Find, byte[] Replace)[] _bytes;

    public TokenScrub(string secret, string placeholder)
    {
        var replacement = SameLength(placeholder, secret);
        _strings = [.. Colons.Select(colon => (secret.Replace(":", colon, StringComparison.Ordinal), replacement.Replace(":", colon, StringComparison.Ordinal)))];
        _bytes = [.. _strings.Select(p => (Encoding.UTF8.GetBytes(p.Find), Encoding.UTF8.GetBytes(p.Replace)))];
        Longest = _bytes.Max(p => p.Find.Length);
    }

    /// <summary>The longest form searched for: a reader that streams must hold back one byte less between reads.</summary>
    public int Longest { get; }

    public string Apply(string value)
    {
        foreach (var (find, replace) in _strings) value = value.Replace(find, replace, StringComparison.Ordinal);
        return value;
    }

    public void Apply(Span<byte> data)
    {
        foreach (var (find, replace) in _bytes)
        {
            int at = 0;
            while (true)
            {
                int i = data[at..].IndexOf(find);
                if (i < 0) break;
                replace.CopyTo(data[(at + i)..]);
                at += i + find.Length;
            }
        }
    }

    /// <summary>The replacement, or (when it is not the secret's length) the secret's bot id and asterisks of its length.</summary>
    private static string SameLength(string replacement, string secret)
    {
        if (replacement.Length == secret.Length) return replacement;
        int colon = secret.IndexOf(':', StringComparison.Ordinal);
        return string.Concat(secret.AsSpan(0, colon + 1), new string('*', secret.Length - colon - 1));
    }
}
