using System.Security.Cryptography;
using System.Text;
using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;

namespace Botvisor.Core.Cluster;

/// <summary>
/// The part of a node's fleet file that is the cluster's desired state: the <see cref="FleetSections.Shared"/>
/// sections as written, where they were written (relative paths resolve against <see cref="BaseDirectory"/>),
/// and the values of the variables they expand on the node that published them (so every node reads the
/// same bots, tokens included, whatever its own environment). It is kept in the cluster's store, which
/// therefore holds the bots' tokens, as it does for bots added through the API.
/// </summary>
public sealed record FleetDocument(string Text, string Path, string BaseDirectory, IReadOnlyDictionary<string, string> Variables)
{
    /// <summary>A short digest of what decides the bots (not the path): equal documents run equal fleets.</summary>
    public string Digest { get; } = DigestOf(Text, BaseDirectory, Variables);

    /// <summary>
    /// The document of a fleet file's text: its shared sections and the variables those expand; null with the
    /// reason when the file cannot be cut so (the rest of a file, with the node's own secrets, never goes).
    /// </summary>
    /// <param name="whole">The whole file as read (the cut must read the same).</param>
    /// <param name="used">Every variable the whole file expanded, with its value.</param>
    public static FleetDocument? Of(string text, FleetConfig whole, IReadOnlyDictionary<string, string> used, out string? problem)
    {
        string path = whole.SourcePath ?? "", baseDirectory = whole.BaseDirectory;
        problem = "in a cluster the fleet file's defaults:, templates:, sources: and bots: are shared as written, so its top-level keys must each start a line (block style, one document)";
        if (FleetSections.Keep(text) is not { } shared) return null;
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var cut = FleetFileLoader.Parse(shared, path, baseDirectory, name => used.TryGetValue(name, out var v) ? v : null, variables);
        if (cut.Fleet is not { } read || cut.Errors.Count > 0 || !SameBots(read, whole))
        {
            problem = "in a cluster the fleet file's defaults:, templates:, sources: and bots: are shared as written, so they must read the same on their own (no anchor of the rest of the file used in them)";
            return null;
        }
        problem = null;
        return new FleetDocument(shared, path, baseDirectory, variables);
    }

    private static bool SameBots(FleetConfig cut, FleetConfig whole) =>
        cut.Bots.SequenceEqual(whole.Bots)
        && BotSpecResolver.ResolveAll(cut, cut.SourcePath ?? "").SequenceEqual(BotSpecResolver.ResolveAll(whole, whole.SourcePath ?? "")) // the defaults applied
        && cut.Templates.Count == whole.Templates.Count && cut.Templates.All(t => whole.Templates.TryGetValue(t.Key, out var w) && Equals(w, t.Value))
        && cut.Sources.Select(s => s.Name).SequenceEqual(whole.Sources.Select(s => s.Name));

    /// <summary>Reads the document as a fleet file of its own (only its variables, never this node's environment).</summary>
    public FleetLoadResult Read(string label) => FleetLoader.ParseAndValidate(Text, label, BaseDirectory, name => Variables.TryGetValue(name, out var v) ? v : null);

    /// <summary>Never the variables: they hold tokens.</summary>
    public override string ToString() => $"fleet document {Digest} ({Path})";

    private static string DigestOf(string text, string baseDirectory, IReadOnlyDictionary<string, string> variables)
    {
        var all = new StringBuilder(text).Append('\0').Append(baseDirectory);
        foreach (var (name, value) in variables.OrderBy(v => v.Key, StringComparer.Ordinal)) all.Append('\0').Append(name).Append('=').Append(value);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(all.ToString())))[..12];
    }
}

/// <summary>The cluster's fleet as stored: the document, its generation (one more at every publication), and who published it when.</summary>
public sealed record PublishedFleet(long Generation, FleetDocument Document, string Node, DateTimeOffset At)
{
    /// <summary>The document's digest (also when only the header was read, without the text).</summary>
    public string Digest { get; init; } = Document.Digest;
}
