using System.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Botvisor.Core.Configuration;

/// <summary>The limits every fleet file, env file and bot definition is read with; generous for real files.</summary>
public static class FleetLimits
{
    /// <summary>The largest fleet file read (8 MiB: some 20,000 bots of a few hundred bytes each).</summary>
    public const long MaxFleetFileBytes = 8 * 1024 * 1024;

    /// <summary>The largest env_file read.</summary>
    public const long MaxEnvFileBytes = 1024 * 1024;

    /// <summary>How deep lists and mappings may nest (a real fleet file needs five or six levels).</summary>
    public const int MaxDepth = 64;

    /// <summary>How many nodes the aliases (<c>*name</c>) of one document may stand for in total.</summary>
    public const long MaxAliasNodes = 1_000_000;

    /// <summary>How long reading one document's structure may take before it is given up.</summary>
    public static readonly TimeSpan MaxParseTime = TimeSpan.FromSeconds(20);
}

/// <summary>
/// Loads YAML into YamlDotNet's node tree only after a pass over its events (YamlDotNet's
/// <see cref="Parser"/> is iterative) has checked what would make the tree's recursive construction or
/// its use dangerous: nesting deeper than <see cref="FleetLimits.MaxDepth"/> (a stack overflow),
/// aliases standing for more than <see cref="FleetLimits.MaxAliasNodes"/> nodes (an alias bomb),
/// lists or mappings used as mapping keys (hashed recursively, and meaningless in a fleet file),
/// aliases to anchors not yet complete (cycles), and <see cref="FleetLimits.MaxParseTime"/>.
/// Every failure, including whatever YamlDotNet throws, is a message with a line and column; nothing is thrown.
/// </summary>
internal static class BoundedYaml
{
    public readonly record struct Failure(string Message, SourceLocation Location);

    private sealed class Frame(bool isMapping, AnchorName anchor)
    {
        public bool IsMapping { get; } = isMapping;
        public AnchorName Anchor { get; } = anchor;
        public bool AtKey { get; set; } = true;
        public long Nodes { get; set; } = 1;
    }

    public static YamlStream? Load(string text, out Failure failure)
    {
        if (!Check(text, out failure)) return null;
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
            return stream;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            failure = FromException(ex, Mark.Empty);
            return null;
        }
    }

    private static bool Check(string text, out Failure failure)
    {
        failure = default;
        var parser = new Parser(new StringReader(text));
        var stack = new List<Frame>();
        var anchors = new Dictionary<string, (long Nodes, bool Scalar)>(StringComparer.Ordinal);
        long aliasNodes = 0;
        long events = 0;
        var clock = Stopwatch.StartNew();
        var last = Mark.Empty;
        try
        {
            while (parser.MoveNext())
            {
                var ev = parser.Current!;
                last = ev.End;
                if ((++events & 1023) == 0 && clock.Elapsed > FleetLimits.MaxParseTime)
                {
                    failure = new($"reading the document took longer than {FleetLimits.MaxParseTime.TotalSeconds:0} s; it was given up here", At(ev.Start));
                    return false;
                }
                var top = stack.Count > 0 ? stack[^1] : null;
                bool atKey = top is { IsMapping: true, AtKey: true };
                switch (ev)
                {
                    case DocumentStart:
                        anchors.Clear();
                        aliasNodes = 0;
                        break;
                    case Scalar scalar:
                        if (!scalar.Anchor.IsEmpty) anchors[scalar.Anchor.Value] = (1, true);
                        Add(top, 1);
                        break;
                    case AnchorAlias alias:
                        if (!anchors.TryGetValue(alias.Value.Value, out var target))
                        {
                            failure = new($"the alias *{alias.Value.Value} refers to no anchor &{alias.Value.Value} defined (and complete) before it", At(alias.Start));
                            return false;
                        }
                        if (atKey && !target.Scalar)
                        {
                            failure = new($"a mapping key must be a single value, not a list or mapping (the alias *{alias.Value.Value} stands for one)", At(alias.Start));
                            return false;
                        }
                        aliasNodes += target.Nodes;
                        if (aliasNodes > FleetLimits.MaxAliasNodes)
                        {
                            failure = new($"the aliases up to *{alias.Value.Value} stand for more than {FleetLimits.MaxAliasNodes:N0} nodes in total (an alias bomb?)", At(alias.Start));
                            return false;
                        }
                        Add(top, target.Nodes);
                        break;
                    case NodeEvent collection and (SequenceStart or MappingStart):
                        if (atKey)
                        {
                            failure = new("a mapping key must be a single value, not a list or mapping", At(collection.Start));
                            return false;
                        }
                        if (stack.Count >= FleetLimits.MaxDepth)
                        {
                            failure = new($"lists and mappings are nested more than {FleetLimits.MaxDepth} levels deep", At(collection.Start));
                            return false;
                        }
                        // YamlDotNet registers an anchor when its node starts: an alias inside would be the node itself (a cycle).
                        if (!collection.Anchor.IsEmpty) anchors.Remove(collection.Anchor.Value);
                        stack.Add(new Frame(collection is MappingStart, collection.Anchor));
                        break;
                    case SequenceEnd or MappingEnd:
                        var done = stack[^1];
                        stack.RemoveAt(stack.Count - 1);
                        if (!done.Anchor.IsEmpty) anchors[done.Anchor.Value] = (done.Nodes, false);
                        Add(stack.Count > 0 ? stack[^1] : null, done.Nodes);
                        break;
                }
            }
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            failure = FromException(ex, last);
            return false;
        }
    }

    private static void Add(Frame? parent, long nodes)
    {
        if (parent is null) return;
        // Saturating: the alias limit stops a document long before, but a sum must never wrap.
        parent.Nodes = parent.Nodes > long.MaxValue - nodes ? long.MaxValue : parent.Nodes + nodes;
        if (parent.IsMapping) parent.AtKey = !parent.AtKey;
    }

    /// <summary>
    /// YamlDotNet reports syntax errors as <see cref="YamlException"/> with a location, but its scanner also
    /// throws <see cref="InvalidOperationException"/>, <see cref="ArgumentException"/> and others on some
    /// malformed input: those are located at the end of the last event read, where the reading stopped.
    /// </summary>
    private static Failure FromException(Exception ex, Mark last)
    {
        if (ex is YamlException yaml)
        {
            var message = yaml.InnerException is YamlException inner ? inner.Message : yaml.Message;
            var at = yaml.Start.Equals(Mark.Empty) && yaml.InnerException is YamlException i ? i.Start : yaml.Start;
            return new(CleanMessage(message), At(at));
        }
        return new($"the document cannot be read after this point ({CleanMessage(ex.Message)})", At(last));
    }

    private static SourceLocation At(Mark mark) =>
        new((int)Math.Clamp(mark.Line, 1, int.MaxValue), (int)Math.Clamp(mark.Column, 1, int.MaxValue));

    private static string CleanMessage(string message)
    {
        // YamlDotNet prefixes its messages with "(Line: 3, Col: 5, Idx: 20) - (…): "; the location is reported separately.
        int idx = message.LastIndexOf("): ", StringComparison.Ordinal);
        return idx >= 0 ? message[(idx + 3)..] : message;
    }
}
