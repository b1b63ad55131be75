namespace Botvisor.Core.Telegram;

/// <summary>Text for Telegram's <c>parse_mode=HTML</c>: only <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> need escaping.</summary>
public static class TelegramHtml
{
    /// <summary>Telegram's limit for one message's text.</summary>
    public const int MaxMessageLength = 4096;

    /// <summary>Telegram's limit for a document's caption.</summary>
    public const int MaxCaptionLength = 1024;

    public static string Escape(string text)
    {
        if (text.AsSpan().IndexOfAny('&', '<', '>') < 0) return text;
        return text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
    }

    public static string Bold(string text) => "<b>" + Escape(text) + "</b>";

    public static string Code(string text) => "<code>" + Escape(text) + "</code>";

    /// <summary>Cuts plain text to at most <paramref name="max"/> characters with an ellipsis, never inside a surrogate pair.</summary>
    public static string Shorten(string text, int max)
    {
        if (text.Length <= max) return text;
        int cut = Math.Max(0, max - 1);
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1])) cut--;
        return string.Concat(text.AsSpan(0, cut), "…");
    }
}
