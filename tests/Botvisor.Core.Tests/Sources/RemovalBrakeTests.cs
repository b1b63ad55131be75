using Botvisor.Core.Sources.Remote;

namespace Botvisor.Core.Tests.Sources;

public class RemovalBrakeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private static HashSet<string> Ids(params string[] ids) => [.. ids];

    [Theory]
    [InlineData(0, 0.1, 1)]
    [InlineData(5, 0.1, 1)]     // at least one
    [InlineData(10, 0.1, 1)]
    [InlineData(100, 0.1, 10)]
    [InlineData(1000, 0.1, 100)]
    [InlineData(3, 0.3, 1)]     // 0.9 rounds down, but at least one
    [InlineData(10, 0.3, 3)]    // no floating-point surprise at 2.9999…
    [InlineData(10, 0, 1)]
    [InlineData(10, 1, 10)]
    public void Allowed_IsTheShareRoundedDown_AtLeastOne(int current, double share, int allowed) =>
        Assert.Equal(allowed, RemovalBrake.Allowed(current, share));

    [Fact]
    public void NothingRemoved_OrWithinTheShare_IsApplied()
    {
        Assert.Equal(BrakeDecision.Apply, RemovalBrake.Decide(10, Ids(), 10, null, 0.1, false));
        Assert.Equal(BrakeDecision.Apply, RemovalBrake.Decide(10, Ids("a"), 9, null, 0.1, false));
        Assert.Equal(BrakeDecision.Apply, RemovalBrake.Decide(100, Ids(Enumerable.Range(0, 10).Select(i => $"b{i}").ToArray()), 90, null, 0.1, false));
    }

    [Fact]
    public void ALargerDrop_IsHeld_ThenAppliedWhenTheNextFetchShowsItAgain()
    {
        var first = RemovalBrake.Decide(10, Ids("a", "b"), 8, null, 0.1, false);
        Assert.True(first.Held);
        Assert.False(first.NeedsAccept);
        var held = new HeldRemoval(Ids("a", "b"), 10, T0, false);

        var again = RemovalBrake.Decide(10, Ids("a", "b"), 8, held, 0.1, false);
        Assert.True(again.Remove);
        Assert.True(again.WasConfirmed);

        // Some came back: the rest were seen missing twice.
        Assert.True(RemovalBrake.Decide(10, Ids("a"), 9, held, 0.0, false).Remove);

        // More went missing: a new drop, held again.
        Assert.True(RemovalBrake.Decide(10, Ids("a", "b", "c"), 7, held, 0.1, false).Held);
    }

    [Fact]
    public void AnEmptyList_IsHeldUntilAccepted_EvenWhenSeenAgain()
    {
        var all = Ids("a", "b", "c");
        var first = RemovalBrake.Decide(3, all, 0, null, 0.1, false);
        Assert.True(first.Held);
        Assert.True(first.NeedsAccept);
        var held = new HeldRemoval(all, 3, T0, true);
        Assert.True(RemovalBrake.Decide(3, all, 0, held, 0.1, false).Held);
        Assert.True(RemovalBrake.Decide(3, all, 0, held, 1.0, false).Held); // even a 100 % share does not apply an empty list
        Assert.True(RemovalBrake.Decide(3, all, 0, held, 0.1, accepted: true).Remove);
    }

    [Fact]
    public void APartialListAfterAnEmptyOne_IsANewDrop_NotAConfirmation()
    {
        var all = Ids(Enumerable.Range(0, 100).Select(i => $"b{i}").ToArray());
        var held = new HeldRemoval(all, 100, T0, NeedsAccept: true);
        var ninety = Ids(Enumerable.Range(10, 90).Select(i => $"b{i}").ToArray());
        var decision = RemovalBrake.Decide(100, ninety, 10, held, 0.1, false);
        Assert.True(decision.Held);
        Assert.False(decision.WasConfirmed);
    }

    [Fact]
    public void ASingleBotSource_MayLoseItsBot_OnlyByAnAcceptedEmptyList()
    {
        Assert.True(RemovalBrake.Decide(1, Ids("a"), 0, null, 0.1, false).NeedsAccept);
        Assert.True(RemovalBrake.Decide(1, Ids("a"), 1, null, 0.1, false).Remove); // replaced by another: within one
    }
}
