namespace Botvisor.Core.Fleet;

/// <summary>Value equality for the collections inside config records, so "did bot X change?" is one comparison.</summary>
internal static class CollectionEquality
{
    public static bool SequenceEqual<T>(IReadOnlyList<T>? a, IReadOnlyList<T>? b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a is null || b is null || a.Count != b.Count) return false;
        var cmp = EqualityComparer<T>.Default;
        for (int i = 0; i < a.Count; i++)
        {
            if (!cmp.Equals(a[i], b[i])) return false;
        }
        return true;
    }

    public static bool DictionaryEqual(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b) =>
        DictionaryEqual<string>(a, b);

    public static bool DictionaryEqual<T>(IReadOnlyDictionary<string, T>? a, IReadOnlyDictionary<string, T>? b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a is null || b is null || a.Count != b.Count) return false;
        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || !EqualityComparer<T>.Default.Equals(value, other)) return false;
        }
        return true;
    }

    public static int SequenceHash<T>(IReadOnlyList<T>? items)
    {
        var hash = new HashCode();
        if (items is not null)
        {
            foreach (var item in items) hash.Add(item);
        }
        return hash.ToHashCode();
    }

    public static int DictionaryHash(IReadOnlyDictionary<string, string>? items)
    {
        int hash = 0;
        if (items is not null)
        {
            foreach (var (key, value) in items) hash ^= HashCode.Combine(key, value);
        }
        return hash;
    }
}
