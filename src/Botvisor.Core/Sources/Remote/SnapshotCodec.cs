using System.Text;
using System.Text.Json;

namespace Botvisor.Core.Sources.Remote;

/// <summary>A source's stored list: a JSON array of bot documents, each kept as it was written.</summary>
internal static class SnapshotCodec
{
    public static string Join(IEnumerable<string> documents)
    {
        var text = new StringBuilder("[");
        bool first = true;
        foreach (var document in documents)
        {
            if (!first) text.Append(',');
            text.Append(document);
            first = false;
        }
        return text.Append(']').ToString();
    }

    public static IReadOnlyList<string> Split(string definitions)
    {
        try
        {
            using var json = JsonDocument.Parse(definitions);
            return json.RootElement.ValueKind == JsonValueKind.Array ? json.RootElement.EnumerateArray().Select(e => e.GetRawText()).ToList() : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
