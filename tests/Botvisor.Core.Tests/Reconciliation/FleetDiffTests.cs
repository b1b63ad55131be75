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

    /// <summary>
    /// Every field of a bot's effective definition is seen by the reload diff: a spec that differs in any
    /// one property (Id aside) is a changed bot, so a reload restarts it. A property added to
    /// <see cref="BotSpec"/> but left out of its equality fails here.
    /// </summary>
    [Fact]
    public void Compute_EveryFieldOfTheSpec_IsSeenByTheDiff()
    {
        var baseline = Spec("x");
        var properties = typeof(BotSpec).GetProperties().Where(p => p.CanWrite && p.Name != nameof(BotSpec.Id) && p.Name != "EqualityContract").ToList();
        Assert.True(properties.Count >= 25, $"only {properties.Count} properties found");
        foreach (var property in properties)
        {
            var changed = baseline with { };
            property.SetValue(changed, Different(property.PropertyType, property.GetValue(baseline)));
            var diff = FleetDiff.Compute(new Dictionary<string, BotSpec> { ["x"] = baseline }, [changed]);
            Assert.True(diff.Changed.Count == 1, $"a changed {property.Name} is not seen by the reload diff");
        }
    }

    /// <summary>A value of <paramref name="type"/> other than <paramref name="current"/>.</summary>
    private static object Different(Type type, object? current) => type switch
    {
        _ when type == typeof(string) => (string?)current + "-changed",
        _ when type == typeof(int) => (int)current! + 1,
        _ when type == typeof(long) => (long)current! + 1,
        _ when type == typeof(long?) => ((long?)current ?? 0) + 1,
        _ when type == typeof(double?) => ((double?)current ?? 0) + 0.5,
        _ when type == typeof(bool) => !(bool)current!,
        _ when type == typeof(TimeSpan) => (TimeSpan)current! + TimeSpan.FromSeconds(1),
        _ when type == typeof(TimeSpan?) => ((TimeSpan?)current ?? TimeSpan.Zero) + TimeSpan.FromSeconds(1),
        _ when type == typeof(IReadOnlyList<string>) => ((IReadOnlyList<string>)current!).Append("more").ToList(),
        _ when type == typeof(IReadOnlyDictionary<string, string>) => new Dictionary<string, string>((IReadOnlyDictionary<string, string>)current!) { ["CHANGED"] = "1" },
        _ when type == typeof(BotToken) => new BotToken("987654:changed"),
        _ when type == typeof(BackoffSettings) => (BackoffSettings)current! with { Multiplier = ((BackoffSettings)current!).Multiplier + 1 },
        _ when type == typeof(HttpProbeSettings) => new HttpProbeSettings("http://127.0.0.1:1/", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 1, TimeSpan.Zero),
        _ when type.IsEnum => Enum.GetValues(type).Cast<object>().First(v => !v.Equals(current)),
        _ => throw new InvalidOperationException($"no different value for {type}: add one here"),
    };
}
