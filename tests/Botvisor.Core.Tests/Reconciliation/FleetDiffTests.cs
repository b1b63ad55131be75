using Botvisor.Core.Fleet;
using Botvisor.Core.Reconciliation;

namespace Botvisor.Core.Tests.Reconciliation;

public class FleetDiffTests
{
    private static BotSpec Spec(string id, params string[] command) => new()
    {
        Id = id,
        Command = command.Length == 0 ? ["sleep", "1"] : command,
        WorkingDirectory = "/",
        Env = new Dictionary<string, string> { ["A"] = "1" },
    };

    [Fact]
    public void Compute_SortsBotsIntoAddedChangedRemovedUnchanged()
    {
        var current = new[] { Spec("keep"), Spec("change"), Spec("drop") }.ToDictionary(s => s.Id);
        var desired = new[] { Spec("keep"), Spec("change", "sleep", "2"), Spec("new") };

        var diff = FleetDiff.Compute(current, desired);

        Assert.Equal(["new"], diff.Added.Select(s => s.Id));
        Assert.Equal(["change"], diff.Changed.Select(s => s.Id));
        Assert.Equal(["drop"], diff.Removed);
        Assert.Equal(["keep"], diff.Unchanged);
    }

    [Fact]
    public void Compute_EqualValuesInNewCollections_AreUnchanged()
    {
        var a = Spec("x") with { Env = new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" }, DependsOn = ["y"] };
        var b = Spec("x") with { Env = new Dictionary<string, string> { ["B"] = "2", ["A"] = "1" }, DependsOn = new List<string> { "y" } };
        Assert.True(FleetDiff.Compute(new Dictionary<string, BotSpec> { ["x"] = a }, [b]).IsEmpty);
    }

    [Fact]
    public void Compute_ChangedToken_IsAChange()
    {
        var a = Spec("x") with { Token = new BotToken("1:a") };
        var b = Spec("x") with { Token = new BotToken("1:b") };
        Assert.Single(FleetDiff.Compute(new Dictionary<string, BotSpec> { ["x"] = a }, [b]).Changed);
    }
}
