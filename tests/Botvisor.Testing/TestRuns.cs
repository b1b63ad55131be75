using System.Globalization;

namespace Botvisor.Testing;

/// <summary>
/// How generated tests (fuzz, chaos) are sized and seeded: a fixed seed and a small count in the suite,
/// and from the environment for a longer run (<c>NAME_COUNT=10000 NAME_SEED=random</c>, or a seed
/// printed by an earlier run to reproduce it).
/// </summary>
public static class TestRuns
{
    public static (int Count, int Seed) FromEnvironment(string countVariable, int defaultCount, string seedVariable, int defaultSeed)
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable(countVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int c) ? c : defaultCount;
        var seedText = Environment.GetEnvironmentVariable(seedVariable);
        int seed = seedText is null ? defaultSeed : seedText == "random" ? Random.Shared.Next() : int.Parse(seedText, CultureInfo.InvariantCulture);
        return (count, seed);
    }
}
