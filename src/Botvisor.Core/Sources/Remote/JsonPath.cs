using System.Globalization;
using System.Text.Json;

namespace Botvisor.Core.Sources.Remote;

/// <summary>A dotted path into a JSON object (<c>telegram_integration.service_name</c>), as sources' mappings write them.</summary>
public static class JsonPath
{
    /// <summary>The element at <paramref name="path"/>; false when a step is missing or not an object.</summary>
    public static bool TryFind(JsonElement root, string path, out JsonElement found)
    {
        found = root;
        if (path.Length == 0) return true;
        foreach (var step in path.Split('.'))
        {
            if (found.ValueKind != JsonValueKind.Object || !found.TryGetProperty(step, out var next))
            {
                found = default;
                return false;
            }
            found = next;
        }
        return true;
    }

    /// <summary>A scalar's text (strings as they are, numbers as written, true/false); null for null, missing, objects and arrays.</summary>
    public static string? Text(JsonElement root, string path)
    {
        if (!TryFind(root, path, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
    }

    /// <summary>A whole number at <paramref name="path"/> (a JSON number or a numeric string).</summary>
    public static long? Integer(JsonElement root, string path) =>
        Text(root, path) is { } text && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : null;

    /// <summary>Whether the path is a valid dotted path: non-empty steps.</summary>
    public static bool IsValid(string path) => path.Length > 0 && path.Split('.').All(s => s.Length > 0);
}
