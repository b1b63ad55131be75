using Botvisor.Core.Gateway;
using Microsoft.Extensions.Time.Testing;

namespace Botvisor.Core.Tests.Gateway;

public class FloodHoldTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Decide_WithoutA429_Passes()
    {
        var hold = new FloodHold(_time);
        Assert.Equal(FloodAction.Pass, hold.Decide().Action);
    }

    [Fact]
    public void Decide_AfterAShortRetryAfter_WaitsTheRestOfIt_ThenPasses()
    {
        var hold = new FloodHold(_time);
        hold.Record(TimeSpan.FromSeconds(3));
        _time.Advance(TimeSpan.FromSeconds(1));
        var decision = hold.Decide();
        Assert.Equal(FloodAction.Wait, decision.Action);
        Assert.Equal(TimeSpan.FromSeconds(2), decision.Delay);
        Assert.Equal(3, hold.CurrentRetryAfter);
        Assert.True(hold.Waited(decision));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(hold.CurrentRetryAfter);
        _time.Advance(FloodHold.Pace); // the held call's turn is taken
        Assert.Equal(FloodAction.Pass, hold.Decide().Action);
        Assert.Null(hold.CurrentRetryAfter);
    }

    [Fact]
    public void Decide_AfterALongRetryAfter_RefusesWithWhatIsLeft()
    {
        var hold = new FloodHold(_time);
        hold.Record(TimeSpan.FromSeconds(35));
        _time.Advance(TimeSpan.FromSeconds(10.5));
        var decision = hold.Decide();
        Assert.Equal(FloodAction.Refuse, decision.Action);
        Assert.Equal(25, decision.RetryAfter);
    }

    [Fact]
    public void Decide_HeldCalls_GoInTheOrderTheyCame_PacedApart_NotAllAtOnce()
    {
        var hold = new FloodHold(_time);
        hold.Record(TimeSpan.FromSeconds(2));
        var turns = Enumerable.Range(0, 5).Select(_ => hold.Decide()).ToList();
        Assert.All(turns, t => Assert.Equal(FloodAction.Wait, t.Action));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => TimeSpan.FromSeconds(2) + i * FloodHold.Pace), turns.Select(t => t.Delay));
        Assert.Equal(5, hold.Waiting);

        // The hold is over but the queue is still being let go: a call that comes now queues behind it.
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(hold.Waited(turns[0]));
        var late = hold.Decide();
        Assert.Equal(FloodAction.Wait, late.Action);
        Assert.Equal(5 * FloodHold.Pace, late.Delay);

        // Once the queue has drained, calls pass again.
        _time.Advance(6 * FloodHold.Pace);
        foreach (var t in turns.Skip(1).Append(late)) Assert.True(hold.Waited(t));
        Assert.Equal(FloodAction.Pass, hold.Decide().Action);
        Assert.Equal(0, hold.Waiting);
    }

    [Fact]
    public void Waited_AfterANewerRetryAfter_SaysDecideAgain_AndTheCallQueuesBehindTheNewHold()
    {
        var hold = new FloodHold(_time);
        hold.Record(TimeSpan.FromSeconds(1));
        var probe = hold.Decide();
        var next = hold.Decide();
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(hold.Waited(probe)); // the probe goes, and is answered 429 again
        hold.Record(TimeSpan.FromSeconds(2));
        _time.Advance(FloodHold.Pace);
        Assert.False(hold.Waited(next));
        var again = hold.Decide();
        Assert.Equal(FloodAction.Wait, again.Action);
        Assert.Equal(TimeSpan.FromSeconds(2) - FloodHold.Pace, again.Delay);
    }

    [Fact]
    public void Decide_QueuedCallsAreBounded_ByHowLongTheirTurnIsAway_AndByHowManyWait()
    {
        var hold = new FloodHold(_time);
        hold.Record(TimeSpan.FromSeconds(3));
        int waiting = 0;
        while (hold.Decide() is { Action: FloodAction.Wait }) waiting++;
        Assert.Equal(1 + (int)((FloodHold.MaxWait - TimeSpan.FromSeconds(3)) / FloodHold.Pace), waiting);
        var refused = hold.Decide();
        Assert.Equal(FloodAction.Refuse, refused.Action);
        Assert.Equal(6, refused.RetryAfter); // when its turn would come

        var crowded = new FloodHold(_time);
        crowded.Record(TimeSpan.FromMilliseconds(1));
        for (int i = 0; i < FloodHold.MaxWaiting - 1; i++) Assert.Equal(FloodAction.Wait, crowded.Decide().Action);
        Assert.Equal(FloodAction.Wait, crowded.Decide().Action);
        Assert.Equal(FloodAction.Refuse, crowded.Decide().Action);
        Assert.Equal(FloodHold.MaxWaiting, crowded.Waiting);
    }

    [Fact]
    public void Record_AShorterRetryAfter_NeverShortensTheHold()
    {
        var hold = new FloodHold(_time);
        hold.Record(TimeSpan.FromSeconds(4));
        hold.Record(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(4), hold.Remaining);
    }
}
