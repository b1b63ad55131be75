namespace Botvisor.Core.Cluster;

/// <summary>
/// Which node should hold each bot (pure; every node computes it from the same view and acts only on its
/// own part). Fair: no node gets more than ⌈bots / nodes⌉. Stable: a bot stays with its holder while the
/// holder takes bots and is within that share, so a joining node takes only its share and a leaving one
/// moves only its own bots. The rest go to the least loaded node, ties broken by a hash of bot and node
/// (rendezvous), so that nodes computing at once agree.
/// </summary>
public static class Placement
{
    /// <param name="bots">The bots to place.</param>
    /// <param name="nodes">The nodes that take bots (up or suspect, not draining).</param>
    /// <param name="holders">The current holder of each bot whose lease is valid.</param>
    /// <returns>Bot → node; empty when there is no node.</returns>
    public static IReadOnlyDictionary<string, string> Assign(IEnumerable<string> bots, IEnumerable<string> nodes, IReadOnlyDictionary<string, string> holders)
    {
        var sortedBots = bots.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var sortedNodes = nodes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var target = new Dictionary<string, string>(StringComparer.Ordinal);
        if (sortedNodes.Count == 0) return target;

        int cap = (sortedBots.Count + sortedNodes.Count - 1) / sortedNodes.Count;
        var load = sortedNodes.ToDictionary(n => n, _ => 0, StringComparer.Ordinal);
        foreach (var bot in sortedBots)
        {
            if (holders.TryGetValue(bot, out var holder) && load.TryGetValue(holder, out int held) && held < cap)
            {
                target[bot] = holder;
                load[holder] = held + 1;
            }
        }
        foreach (var bot in sortedBots)
        {
            if (target.ContainsKey(bot)) continue;
            string best = sortedNodes[0];
            foreach (var node in sortedNodes)
            {
                if (load[node] < load[best] || (load[node] == load[best] && Score(bot, node) > Score(bot, best))) best = node;
            }
            target[bot] = best;
            load[best]++;
        }
        return target;
    }

    /// <summary>FNV-1a of bot and node: the same on every node, spread over the nodes.</summary>
    private static ulong Score(string bot, string node)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in bot) hash = (hash ^ c) * 1099511628211UL;
        hash = (hash ^ 0xFF) * 1099511628211UL;
        foreach (char c in node) hash = (hash ^ c) * 1099511628211UL;
        return hash;
    }
}
