using Botvisor.Core.Fleet;
using Botvisor.Core.Gateway;
using Microsoft.Extensions.Time.Testing;

namespace Botvisor.Core.Tests.Gateway;

public class GatewayRegistryTests
{
    private const string Real = "7000000123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq";
    private readonly GatewayRegistry _registry = new(new FakeTimeProvider());

    private static BotSpec Spec(string id = "echo", string token = Real) =>
        new() { Id = id, Command = ["x"], WorkingDirectory = "/", Token = new BotToken(token), Gateway = true, TelegramApiBaseUrl = "http://127.0.0.1:9/" };

    [Fact]
    public void Issue_GivesAPlaceholderOfTheRealShape_WithTheBotsId_NeverTheRealToken()
    {
        var run = _registry.Issue(Spec());
        Assert.Matches("^7000000123:[A-Za-z0-9_-]{35}$", run.Placeholder);
        Assert.NotEqual(Real, run.Placeholder);
        Assert.Equal(Real.Length, run.Placeholder.Length);
        Assert.Equal("http://127.0.0.1:9", run.ApiBaseUrl);
        Assert.Same(run, _registry.Resolve(run.Placeholder));
        Assert.Null(_registry.Resolve(Real));
    }

    [Fact]
    public void MaskIn_MasksThePlaceholder_AsARealTokenIsMasked_WholeOrItsSecretAlone()
    {
        var placeholder = _registry.Issue(Spec()).Placeholder;
        var secret = placeholder[11..];
        Assert.Equal("GET /bot7000000123:****/getMe", PlaceholderToken.MaskIn($"GET /bot{placeholder}/getMe", placeholder));
        Assert.Equal("/file/bot7000000123%3A****/a.bin and ****", PlaceholderToken.MaskIn($"/file/bot7000000123%3A{secret}/a.bin and {secret}", placeholder));
        Assert.Equal("nothing here 7000000123", PlaceholderToken.MaskIn("nothing here 7000000123", placeholder));
    }

    [Fact]
    public void Issue_EveryRunGetsAFreshPlaceholder_AndThePreviousOneDies()
    {
        var first = _registry.Issue(Spec());
        var second = _registry.Issue(Spec());
        Assert.NotEqual(first.Placeholder, second.Placeholder);
        Assert.Null(_registry.Resolve(first.Placeholder));
        Assert.False(first.IsLive);
        Assert.True(first.Ended.IsCancellationRequested);
        Assert.Same(second, _registry.Resolve(second.Placeholder));
        Assert.Same(second, _registry.Bot("echo")!.Current);
    }

    [Fact]
    public void Revoke_KillsThePlaceholder_AndCancelsWhatTheRunHasInFlight()
    {
        var run = _registry.Issue(Spec());
        var ticket = run.Bot.Poll.Enter(run)!;
        _registry.Revoke(run);
        Assert.Null(_registry.Resolve(run.Placeholder));
        Assert.True(ticket.Token.IsCancellationRequested);
        Assert.Null(_registry.Bot("echo")!.Current);
        ticket.Dispose();
        Assert.False(run.Bot.Poll.InFlight);
        _registry.Revoke(run); // twice is harmless
    }

    [Fact]
    public void Resolve_AnotherBotsPlaceholder_IsThatBot()
    {
        var echo = _registry.Issue(Spec());
        var admin = _registry.Issue(Spec("admin", "7000000124:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq"));
        Assert.Equal("admin", _registry.Resolve(admin.Placeholder)!.BotId);
        Assert.Equal("echo", _registry.Resolve(echo.Placeholder)!.BotId);
    }

    [Fact]
    public void PollSlot_ANewerPoll_SupersedesTheOlderOne_SoOnlyOneIsEverInFlight()
    {
        var run = _registry.Issue(Spec());
        var older = run.Bot.Poll.Enter(run)!;
        var newer = run.Bot.Poll.Enter(run)!;
        Assert.True(older.Superseded);
        Assert.True(older.Token.IsCancellationRequested);
        Assert.False(newer.Token.IsCancellationRequested);
        older.Dispose();
        Assert.True(run.Bot.Poll.InFlight); // the newer one still holds the slot
        newer.Dispose();
        Assert.False(run.Bot.Poll.InFlight);
    }

    [Fact]
    public void Token_RenamedBot_SharesTheTokensPollSlotAndHold_AndItsRunRevokesTheOldIdsRun()
    {
        var old = _registry.Issue(Spec("a"));
        var oldPoll = old.Line.Poll.Enter(old)!;
        old.Line.Flood.Record(TimeSpan.FromSeconds(3));
        var renamed = _registry.Issue(Spec("b")); // a reload renamed a to b: b spawns while a is still stopping
        Assert.Same(old.Line, renamed.Line);
        Assert.False(old.IsLive);
        Assert.Null(_registry.Resolve(old.Placeholder));
        Assert.True(oldPoll.Token.IsCancellationRequested);
        Assert.Equal(3, _registry.Bot("b")!.Flood.CurrentRetryAfter);
        Assert.Null(old.Line.Poll.Enter(old)); // a revoked run never takes the slot from the live one
        var poll = renamed.Line.Poll.Enter(renamed)!;
        Assert.Null(old.Line.Poll.Enter(old));
        Assert.False(poll.Superseded);
        oldPoll.Dispose();
        poll.Dispose();
    }

    [Fact]
    public void Token_Rotated_OnTheSameId_StartsWithNoHoldOfTheOldToken()
    {
        var first = _registry.Issue(Spec());
        first.Line.Flood.Record(TimeSpan.FromSeconds(30));
        var rotated = _registry.Issue(Spec(token: "7000000123:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq"));
        Assert.NotSame(first.Line, rotated.Line);
        Assert.Null(rotated.Line.Flood.CurrentRetryAfter);
        Assert.Equal(1, _registry.Lines);
    }

    [Fact]
    public void Forget_LeavesNothingOfChurningIds_AndAReAddedBotStartsAfresh()
    {
        for (int i = 0; i < 50; i++)
        {
            var run = _registry.Issue(Spec("bot" + i, $"70000{i:D5}:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq"));
            run.Bot.Stats.Record("getMe", 200, TimeSpan.FromMilliseconds(1));
            _registry.Revoke(run);
            _registry.Forget("bot" + i);
        }
        Assert.Empty(_registry.Bots);
        Assert.Equal(0, _registry.Lines);
        Assert.Equal(0, _registry.LiveRuns);

        var again = _registry.Issue(Spec("bot0", "7000000000:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq"));
        Assert.Empty(again.Bot.Stats.Methods());
        _registry.Forget("bot0"); // a live run is revoked with it
        Assert.False(again.IsLive);
        Assert.Null(_registry.Bot("bot0"));
    }

    [Fact]
    public void Forget_ARenamedBotsOldId_KeepsTheTokensSlotAndHoldForTheNewId()
    {
        _registry.Issue(Spec("a")).Line.Flood.Record(TimeSpan.FromSeconds(3));
        _registry.Issue(Spec("b"));
        _registry.Forget("a");
        Assert.Equal(1, _registry.Lines);
        Assert.Equal(3, _registry.Bot("b")!.Flood.CurrentRetryAfter);
    }

    [Fact]
    public void Epoch_IsTheOneTheWorkerWasSpawnedUnder_NotTheOneOfItsFirstCall()
    {
        var run = _registry.Issue(Spec(), epoch: 5);
        Assert.False(run.UnderEpoch(6)); // lost and retaken before the first call: not this run's tenure
        Assert.True(run.UnderEpoch(5));
        var unheld = _registry.Issue(Spec(), epoch: GatewayRun.NoLease);
        Assert.False(unheld.UnderEpoch(0));
        Assert.False(unheld.UnderEpoch(7));
    }

    [Fact]
    public void Stats_KeepOnlyTheBotApisMethodNames_SpeltAsItSpellsThem_TheRestIsOther()
    {
        var stats = _registry.Issue(Spec()).Bot.Stats;
        for (int i = 0; i < 500; i++) stats.Record("made_up" + i, 404, TimeSpan.FromMilliseconds(1));
        stats.Record("sendmessage", 200, TimeSpan.FromMilliseconds(1));
        stats.Record("sendMessage", 200, TimeSpan.FromMilliseconds(1));
        stats.Record("file", 200, TimeSpan.FromMilliseconds(1));
        var methods = stats.Methods();
        Assert.Equal(["file", "other", "sendMessage"], methods.Select(m => m.Method));
        Assert.Equal(500, methods.Single(m => m.Method == GatewayStats.Other).Errors);
        Assert.Equal(2, methods.Single(m => m.Method == "sendMessage").Calls);
    }
}
