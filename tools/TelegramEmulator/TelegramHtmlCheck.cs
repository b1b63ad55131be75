using System.Text;

namespace TelegramEmulator;

/// <summary>
/// What Telegram does with <c>parse_mode=HTML</c>: refuses unknown or unbalanced tags and bad entities
/// ("can't parse entities"), and measures the text after parsing (at most 4,096 characters).
/// </summary>
public static class TelegramHtmlCheck
{
    private static readonly HashSet<string> Allowed = new(StringComparer.Ordinal)
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji",
    };

    /// <summary>The text without markup; throws Telegram's 400 when the markup does not parse.</summary>
    public static string Parse(string html)
    {
        var text = new StringBuilder();
        var open = new Stack<string>();
        int i = 0;
        while (i < html.Length)
        {
            char c = html[i];
            if (c == '<')
            {
                int close = html.IndexOf('>', i);
                if (close < 0) throw Error($"Unclosed start tag at byte offset {i}");
                var tag = html[(i + 1)..close];
                bool end = tag.StartsWith('/');
                var name = new string((end ? tag[1..] : tag).TakeWhile(ch => char.IsAsciiLetterOrDigit(ch) || ch == '-').ToArray()).ToLowerInvariant();
                if (!Allowed.Contains(name)) throw Error($"Unsupported start tag \"{name}\" at byte offset {i}");
                if (end)
                {
                    if (open.Count == 0 || open.Pop() != name) throw Error($"Unmatched end tag at byte offset {i}, expected \"</{(open.Count == 0 ? "" : open.Peek())}>\", found \"</{name}>\"");
                }
                else
                {
                    open.Push(name);
                }
                i = close + 1;
            }
            else if (c == '&')
            {
                int semi = html.IndexOf(';', i);
                var entity = semi > i ? html[(i + 1)..semi] : "";
                string? decoded = entity switch
                {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    _ when entity.StartsWith('#') && int.TryParse(entity.AsSpan(1), out int code) => char.ConvertFromUtf32(code),
                    _ => null,
                };
                if (decoded is null) throw Error($"Character entity expected at byte offset {i}");
                text.Append(decoded);
                i = semi + 1;
            }
            else if (c == '>')
            {
                throw Error($"Unexpected end tag at byte offset {i}");
            }
            else
            {
                text.Append(c);
                i++;
            }
        }
        if (open.Count > 0) throw Error($"Can't find end tag corresponding to start tag \"{open.Peek()}\"");
        return text.ToString();
    }

    private static BotApiError Error(string what) => BotApiError.BadRequest("can't parse entities: " + what);
}
