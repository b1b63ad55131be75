using YamlDotNet.RepresentationModel;

namespace Botvisor.Core.Configuration;

/// <summary>
/// Cuts a fleet file down to the sections that say which bots run (<c>defaults</c>, <c>templates</c>,
/// <c>sources</c>, <c>bots</c>), as written, line for line: what a node publishes as the cluster's fleet.
/// The rest (the API, the admin bot, alerts, the store, the node's name) stays the node's own.
/// </summary>
public static class FleetSections
{
    /// <summary>The top-level keys that make the cluster's desired state.</summary>
    public static readonly string[] Shared = ["defaults", "templates", "sources", "bots"];

    /// <summary>
    /// The text with only the <see cref="Shared"/> sections, each from its key's line to the next key's; null
    /// when the file cannot be cut by lines (a flow-style root, two keys on one line, several documents, a lone CR).
    /// </summary>
    public static string? Keep(string text)
    {
        // A lone CR ends a line for YAML but not for a cut by '\n': such a file is not cut.
        for (int i = text.IndexOf('\r'); i >= 0; i = text.IndexOf('\r', i + 1))
        {
            if (i + 1 >= text.Length || text[i + 1] != '\n') return null;
        }
        var stream = BoundedYaml.Load(text, out _);
        if (stream is null || stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root) return null;
        if (root.Style == YamlDotNet.Core.Events.MappingStyle.Flow) return null;
        var keys = root.Children.Keys.ToList();
        var lines = text.Split('\n');
        var result = new System.Text.StringBuilder();
        for (int i = 0; i < keys.Count; i++)
        {
            int first = (int)keys[i].Start.Line;
            int next = i + 1 < keys.Count ? (int)keys[i + 1].Start.Line : lines.Length + 1;
            if (next <= first || keys[i].Start.Column != 1) return null;
            if (keys[i] is not YamlScalarNode { Value: { } name } || !Shared.Contains(name, StringComparer.Ordinal)) continue;
            for (int line = first; line < next && line <= lines.Length; line++) result.Append(lines[line - 1].TrimEnd('\r')).Append('\n');
        }
        return result.ToString();
    }
}
