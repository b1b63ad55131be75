namespace Botvisor.Gateway;

/// <summary>
/// What a request to the gateway asks for, read from its raw target: a Bot API method
/// (<c>/bot&lt;token&gt;/&lt;method&gt;</c>) or a file (<c>/file/bot&lt;token&gt;/&lt;path&gt;</c>). Anything else,
/// and any path that could climb out of the bot's own files (dot segments, encoded slashes or dots,
/// backslashes), is not a Bot API request: the gateway forwards nothing else.
/// </summary>
public readonly record struct BotApiPath(bool IsFile, string Placeholder, string Rest, string Query)
{
    /// <summary>Telegram's method names are short camelCase words.</summary>
    public const int MaxMethodLength = 64;

    /// <summary>The method (for a call) or <c>file</c> (for a download), as counted in status.</summary>
    public string Method => IsFile ? "file" : Rest;

    public static bool TryParse(string rawTarget, out BotApiPath path)
    {
        path = default;
        int q = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var target = q < 0 ? rawTarget : rawTarget[..q];
        var query = q < 0 ? "" : rawTarget[q..];
        bool isFile = target.StartsWith("/file/bot", StringComparison.Ordinal);
        if (!isFile && !target.StartsWith("/bot", StringComparison.Ordinal)) return false;
        int start = isFile ? "/file/bot".Length : "/bot".Length;
        int slash = target.IndexOf('/', start);
        if (slash <= start || slash == target.Length - 1) return false;
        // Clients may percent-encode the token's colon (python-telegram-bot 13 quotes download URLs).
        var placeholder = Uri.UnescapeDataString(target[start..slash]);
        var rest = target[(slash + 1)..];
        if (isFile ? !IsSafeFilePath(rest) : !IsMethod(rest)) return false;
        path = new BotApiPath(isFile, placeholder, rest, query);
        return true;
    }

    private static readonly System.Buffers.SearchValues<char> MethodChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");

    private static bool IsMethod(string s) => s.Length <= MaxMethodLength && s.AsSpan().IndexOfAnyExcept(MethodChars) < 0;

    /// <summary>
    /// A relative path (<c>documents/file_1.pdf</c>), or the absolute one a local server in <c>--local</c> mode
    /// gives (<c>/var/lib/telegram-bot-api/&lt;token&gt;/documents/file_1.pdf</c>, which clients append after one
    /// more slash); never dot segments, other empty segments, encoded dots or slashes, or backslashes.
    /// </summary>
    private static bool IsSafeFilePath(string s)
    {
        if (s.Contains('\\', StringComparison.Ordinal) || s.Contains("%2e", StringComparison.OrdinalIgnoreCase)
            || s.Contains("%2f", StringComparison.OrdinalIgnoreCase) || s.Contains("%5c", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var segments = s.Split('/');
        foreach (var segment in s.StartsWith('/') ? segments.Skip(1) : segments)
        {
            if (segment is "" or "." or "..") return false;
        }
        return true;
    }
}
