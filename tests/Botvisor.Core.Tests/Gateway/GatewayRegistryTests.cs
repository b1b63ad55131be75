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
        var ticket = run.Bot.Poll.Enter(run);
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
        var older = run.Bot.Poll.Enter(run);
        var newer = run.Bot.Poll.Enter(run);
        Assert.True(older.Superseded);
        Assert.True(older.Token.IsCancellationRequested);
        Assert.False(newer.Token.IsCancellationRequested);
        older.Dispose();
        Assert.True(run.Bot.Poll.InFlight); // the newer one still holds the slot
        newer.Dispose();
        Assert.False(run.Bot.Poll.InFlight);
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
