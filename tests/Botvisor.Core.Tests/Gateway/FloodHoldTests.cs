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
        Assert.Null(hold.CurrentRetryAfter);
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
        hold.Waited();
        _time.Advance(TimeSpan.FromSeconds(2));
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
    public void Decide_WhenTooManyWait_RefusesTheRest()
    {
        var hold = new FloodHold(_time);
        hold.Record(TimeSpan.FromSeconds(2));
        for (int i = 0; i < FloodHold.MaxWaiting; i++) Assert.Equal(FloodAction.Wait, hold.Decide().Action);
        Assert.Equal(FloodAction.Refuse, hold.Decide().Action);
        hold.Waited();
        Assert.Equal(FloodAction.Wait, hold.Decide().Action);
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
