namespace Botvisor.Core.Configuration;

/// <summary>"Did you mean …?" for unknown keys: the closest known key by edit distance.</summary>
public static class SpellingSuggester
{
    public static string? Suggest(string unknown, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            int d = Distance(unknown.ToLowerInvariant(), candidate);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = candidate;
            }
        }
        int allowed = Math.Max(2, unknown.Length / 3);
        return bestDistance <= allowed ? best : null;
    }

    public static string UnknownKeyMessage(string key, IReadOnlyCollection<string> known)
    {
        var suggestion = Suggest(key, known);
        return suggestion is null
            ? $"unknown key '{key}'; known keys are {string.Join(", ", known)}"
            : $"unknown key '{key}'; did you mean '{suggestion}'?";
    }

    private static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) cur[j] = Math.Min(cur[j], prev[j - 1]);
            }
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
