namespace Botvisor.Core.Cluster;

/// <summary>
/// A short digest of the bots a node defines (their ids, sorted; FNV-1a, 64 bits). Nodes share bots only
/// with nodes of the same digest: two nodes started with different fleet files each keep to their own
/// (a bot both define runs once, on whichever holds its lease) and never hand bots back and forth.
/// </summary>
public static class FleetDigest
{
    public static string Of(IEnumerable<string> botIds)
    {
        ulong hash = 14695981039346656037UL;
        foreach (var id in botIds.Order(StringComparer.Ordinal))
        {
            foreach (char c in id) hash = (hash ^ c) * 1099511628211UL;
            hash = (hash ^ 0x1F) * 1099511628211UL;
        }
        return hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)[..8];
    }
}
