using Botvisor.Core.Configuration;

namespace Botvisor.Core.Tests.Configuration;

/// <summary>Sizes: SI and IEC units both, exactly (issue 14: 100MB was taken without saying what it meant).</summary>
public class ByteSizeParserTests
{
    [Theory]
    [InlineData("100MB", 100_000_000L)]
    [InlineData("100MiB", 104_857_600L)]
    [InlineData("100 MB", 100_000_000L)]
    [InlineData("1kB", 1000L)]
    [InlineData("1KB", 1000L)]
    [InlineData("1KiB", 1024L)]
    [InlineData("1.5KiB", 1536L)]
    [InlineData("2GB", 2_000_000_000L)]
    [InlineData("2GiB", 2_147_483_648L)]
    [InlineData("1TB", 1_000_000_000_000L)]
    [InlineData("1TiB", 1_099_511_627_776L)]
    [InlineData("4096", 4096L)]
    [InlineData("4096B", 4096L)]
    [InlineData("0.5MB", 500_000L)]
    public void Parses_SiAndIec_Exactly(string text, long expected)
    {
        Assert.True(ByteSizeParser.TryParse(text, out long bytes, out var error), error);
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("100M", "could mean either, so write MB or MiB")]
    [InlineData("1k", "write kB or KiB")]
    [InlineData("1mb", "case-sensitive")]
    [InlineData("1mib", "case-sensitive")]
    [InlineData("5 furlongs", "unknown unit 'furlongs'")]
    [InlineData("0.3B", "not a whole number of bytes")]
    [InlineData("lots", "is not a size")]
    public void Refuses_AmbiguousOrUnknownUnits_NamingBothSystems(string text, string expected)
    {
        Assert.False(ByteSizeParser.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
        if (!expected.Contains("whole", StringComparison.Ordinal)) Assert.Contains("SI kB, MB, GB", error);
    }

    [Fact]
    public void AFleetFile_TakesMemoryMaxInMB_AsMillionsOfBytes()
    {
        var loaded = FleetFileLoader.Parse("bots:\n  a: { command: sleep 1, memory_max: 100MB }\n", "/tmp/botvisor.yaml", "/tmp", _ => null);
        Assert.Empty(loaded.Errors);
        Assert.Equal(100_000_000L, loaded.Fleet!.Bots.Single().MemoryMax);

        var bad = FleetFileLoader.Parse("bots:\n  a: { command: sleep 1, memory_max: 100M }\n", "/tmp/botvisor.yaml", "/tmp", _ => null);
        var error = Assert.Single(bad.Errors);
        Assert.Equal("bots.a.memory_max", error.Path);
        Assert.Contains("IEC KiB, MiB", error.Message);
    }
}
