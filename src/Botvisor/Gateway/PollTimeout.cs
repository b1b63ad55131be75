using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Botvisor.Gateway;

/// <summary>
/// The <c>timeout</c> a getUpdates asks Telegram to wait, read from its query or its (small) body: JSON,
/// form-urlencoded or multipart, as client libraries send it. Zero when none is given (Telegram's default);
/// null when one is given in a form this cannot read (then the gateway sets no bound of its own).
/// </summary>
internal static partial class PollTimeout
{
    /// <summary>getUpdates bodies are a few parameters; a longer one is refused (413).</summary>
    public const int MaxBody = 64 * 1024;

    public static int? Read(string query, string? contentType, ReadOnlySpan<byte> body)
    {
        if (Form(query.TrimStart('?')) is { } inQuery) return inQuery;
        if (body.IsEmpty) return 0;
        var text = Encoding.UTF8.GetString(body);
        if (!text.Contains("timeout", StringComparison.Ordinal)) return 0;
        var type = contentType ?? "";
        if (type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)) return Json(body);
        if (type.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)) return Form(text);
        if (type.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            var m = MultipartTimeout().Match(text);
            return m.Success && int.TryParse(m.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : null;
        }
        return null;
    }

    private static int? Form(string form)
    {
        foreach (var pair in form.Split('&'))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0 || !pair.AsSpan(0, eq).SequenceEqual("timeout")) continue;
            return int.TryParse(Uri.UnescapeDataString(pair[(eq + 1)..]), System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : null;
        }
        return null;
    }

    private static int? Json(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("timeout", out var t)) return 0;
            if (t.ValueKind == JsonValueKind.Number && t.TryGetInt32(out var n)) return n;
            return t.ValueKind == JsonValueKind.String && int.TryParse(t.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex("name=\"?timeout\"?[^\\r\\n]*\\r?\\n(?:[^\\r\\n]+\\r?\\n)*\\r?\\n\\s*(\\d+)")]
    private static partial Regex MultipartTimeout();
}
