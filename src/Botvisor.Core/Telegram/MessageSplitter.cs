using System.Text;

namespace Botvisor.Core.Telegram;

/// <summary>
/// Splits Telegram HTML into messages of at most 4,096 characters without breaking its markup: never
/// inside a tag, an entity (<c>&amp;amp;</c>) or a surrogate pair; tags open at a cut are closed at the end
/// of one part and opened again at the start of the next; cuts fall on a line break where there is one
/// in the second half of the part. (Telegram counts characters after parsing the markup, so measuring
/// the markup itself keeps each part within the limit.)
/// </summary>
public static class MessageSplitter
{
    public static IReadOnlyList<string> Split(string html, int limit = TelegramHtml.MaxMessageLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 64);
        if (html.Length <= limit) return [html];
        var tokens = Tokenize(html);
        var parts = new List<string>();
        var open = new List<(string Name, string Tag)>(); // tags open at the current position
        var part = new StringBuilder();
        int lastBreak = -1;                                // index in tokens just after the last '\n' of this part
        List<(string, string)>? openAtBreak = null;
        int partStart = 0;
        string prefix = "";

        int i = 0;
        while (i < tokens.Count)
        {
            var token = tokens[i];
            var after = Apply(open, token);
            int closing = after.Sum(t => t.Name.Length + 3);
            if (part.Length + token.Length + closing > limit && part.Length > prefix.Length)
            {
                // Cut: at the last line break if it is in the second half, else here.
                int cutAt = i;
                var openAtCut = open;
                if (lastBreak > partStart && Length(tokens, partStart, lastBreak) + prefix.Length > limit / 2)
                {
                    cutAt = lastBreak;
                    openAtCut = openAtBreak!;
                }
                var text = new StringBuilder(prefix);
                for (int j = partStart; j < cutAt; j++) text.Append(tokens[j]);
                for (int j = openAtCut.Count - 1; j >= 0; j--) text.Append("</").Append(openAtCut[j].Item1).Append('>');
                parts.Add(text.ToString());
                prefix = string.Concat(openAtCut.Select(t => t.Item2));
                open = [.. openAtCut];
                partStart = cutAt;
                i = cutAt;
                part.Clear().Append(prefix);
                lastBreak = -1;
                continue;
            }
            part.Append(token);
            open = after;
            i++;
            if (token == "\n")
            {
                lastBreak = i;
                openAtBreak = [.. open];
            }
        }
        if (part.Length > prefix.Length || parts.Count == 0) parts.Add(part.ToString());
        return parts;
    }

    private static int Length(List<string> tokens, int from, int to)
    {
        int n = 0;
        for (int j = from; j < to; j++) n += tokens[j].Length;
        return n;
    }

    /// <summary>The open tags after <paramref name="token"/>.</summary>
    private static List<(string Name, string Tag)> Apply(List<(string Name, string Tag)> open, string token)
    {
        if (token.Length < 3 || token[0] != '<') return open;
        if (token[1] == '/')
        {
            var name = TagName(token, 2);
            int at = open.FindLastIndex(t => t.Name == name);
            if (at < 0) return open;
            var next = new List<(string, string)>(open);
            next.RemoveRange(at, next.Count - at);
            return next;
        }
        return [.. open, (TagName(token, 1), token)];
    }

    private static string TagName(string tag, int start)
    {
        int end = start;
        while (end < tag.Length && char.IsAsciiLetterOrDigit(tag[end]) || end < tag.Length && tag[end] == '-') end++;
        return tag[start..end].ToLowerInvariant();
    }

    /// <summary>Tags, entities, surrogate pairs and line breaks are single tokens; other characters are tokens of one.</summary>
    private static List<string> Tokenize(string html)
    {
        var tokens = new List<string>(html.Length);
        int i = 0;
        while (i < html.Length)
        {
            char c = html[i];
            int end = i + 1;
            if (c == '<')
            {
                int close = html.IndexOf('>', i);
                end = close < 0 ? html.Length : close + 1;
            }
            else if (c == '&')
            {
                int semi = html.IndexOf(';', i);
                if (semi > i && semi - i <= 10) end = semi + 1;
            }
            else if (char.IsHighSurrogate(c) && i + 1 < html.Length && char.IsLowSurrogate(html[i + 1]))
            {
                end = i + 2;
            }
            tokens.Add(html[i..end]);
            i = end;
        }
        return tokens;
    }
}
