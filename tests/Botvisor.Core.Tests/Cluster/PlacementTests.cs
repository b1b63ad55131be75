using Botvisor.Core.Cluster;

namespace Botvisor.Core.Tests.Cluster;

public class PlacementTests
{
    private static List<string> Bots(int n) => Enumerable.Range(0, n).Select(i => $"bot-{i:D4}").ToList();

    private static Dictionary<string, int> Load(IReadOnlyDictionary<string, string> target) =>
        target.GroupBy(kv => kv.Value).ToDictionary(g => g.Key, g => g.Count());

    private static readonly Dictionary<string, string> Nobody = new();

    [Fact]
    public void AThousandBots_OnThreeNodes_AreSpreadWithinTenPercent()
    {
        var target = Placement.Assign(Bots(1000), ["a", "b", "c"], Nobody);
        Assert.Equal(1000, target.Count);
        foreach (var (_, count) in Load(target)) Assert.InRange(count, 333, 334); // within ten percent, and no more than ⌈1000 / 3⌉
        Assert.Equal(3, Load(target).Count);
    }

    [Fact]
    public void NodesComputingAtOnce_Agree_WhateverOrderTheyListThingsIn()
    {
        var bots = Bots(200);
        var one = Placement.Assign(bots, ["a", "b", "c"], Nobody);
        var other = Placement.Assign(Enumerable.Reverse(bots), ["c", "a", "b"], Nobody);
        Assert.Equal(one.OrderBy(kv => kv.Key), other.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void AJoiningNode_TakesOnlyItsShare_AndNothingElseMoves()
    {
        var bots = Bots(1000);
        var before = Placement.Assign(bots, ["a", "b", "c"], Nobody);
        var after = Placement.Assign(bots, ["a", "b", "c", "d"], before);

        var moved = bots.Where(b => before[b] != after[b]).ToList();
        Assert.All(moved, b => Assert.Equal("d", after[b]));
        Assert.InRange(moved.Count, 240, 260); // a quarter, give or take the rounding
        Assert.InRange(Load(after)["d"], 240, 260);
    }

    [Fact]
    public void ANodeThatGoes_MovesOnlyItsOwnBots_SpreadOverTheOthers()
    {
        var bots = Bots(999);
        var before = Placement.Assign(bots, ["a", "b", "c"], Nobody);
        var holders = before.Where(kv => kv.Value != "c").ToDictionary(); // c's leases expired
        var after = Placement.Assign(bots, ["a", "b"], holders);

        Assert.All(bots.Where(b => before[b] != "c"), b => Assert.Equal(before[b], after[b]));
        Assert.Equal(0, Load(after).GetValueOrDefault("c"));
        Assert.InRange(Load(after)["a"], 495, 505);
    }

    [Fact]
    public void ANodeOverItsShare_KeepsOnlyItsShare()
    {
        var bots = Bots(10);
        var allOnA = bots.ToDictionary(b => b, _ => "a");
        var target = Placement.Assign(bots, ["a", "b"], allOnA);
        Assert.Equal(5, Load(target)["a"]);
        Assert.Equal(5, Load(target)["b"]);
        Assert.All(bots.Take(5), b => Assert.Equal("a", target[b])); // the first five stay
    }

    [Fact]
    public void HoldersThatTakeNoBots_AreIgnored_AndNoNodesMeansNoPlacement()
    {
        var target = Placement.Assign(["x", "y"], ["a"], new Dictionary<string, string> { ["x"] = "draining-node" });
        Assert.Equal("a", target["x"]);
        Assert.Empty(Placement.Assign(["x"], [], Nobody));
        Assert.Empty(Placement.Assign([], ["a"], Nobody));
    }
}
