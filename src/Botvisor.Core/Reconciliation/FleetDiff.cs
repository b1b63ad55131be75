using Botvisor.Core.Fleet;

namespace Botvisor.Core.Reconciliation;

/// <summary>The difference between the bots that run and the bots that should: compared by id, then by value.</summary>
public sealed record FleetDiff(
    IReadOnlyList<BotSpec> Added,
    IReadOnlyList<BotSpec> Changed,
    IReadOnlyList<string> Removed,
    IReadOnlyList<string> Unchanged)
{
    public bool IsEmpty => Added.Count == 0 && Changed.Count == 0 && Removed.Count == 0;

    public static FleetDiff Compute(IReadOnlyDictionary<string, BotSpec> current, IReadOnlyList<BotSpec> desired)
    {
        var added = new List<BotSpec>();
        var changed = new List<BotSpec>();
        var unchanged = new List<string>();
        var desiredIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in desired)
        {
            desiredIds.Add(spec.Id);
            if (!current.TryGetValue(spec.Id, out var existing)) added.Add(spec);
            else if (!existing.Equals(spec)) changed.Add(spec);
            else unchanged.Add(spec.Id);
        }
        var removed = current.Keys.Where(id => !desiredIds.Contains(id)).OrderBy(id => id, StringComparer.Ordinal).ToList();
        return new FleetDiff(added, changed, removed, unchanged);
    }

    public override string ToString() =>
        $"{Added.Count} added, {Changed.Count} changed, {Removed.Count} removed, {Unchanged.Count} unchanged";
}
