using Botvisor.Core.AdminBot;
using Microsoft.Extensions.Time.Testing;

namespace Botvisor.Core.Tests.AdminBot;

public class AdminCommandTests
{
    [Theory]
    [InlineData("/status", "status", "")]
    [InlineData("  /Restart@FleetAdminBot   echo  ", "restart", "echo")]
    [InlineData("/logs echo 50", "logs", "echo 50")]
    public void Parse_Commands(string text, string name, string args)
    {
        var command = AdminCommand.Parse(text, "fleetadminbot")!;
        Assert.Equal(name, command.Name);
        Assert.Equal(args, string.Join(' ', command.Args));
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("/")]
    [InlineData("/status@otherbot")]
    [InlineData("")]
    public void Parse_NotForUs_IsNull(string text) => Assert.Null(AdminCommand.Parse(text, "fleetadminbot"));

    [Fact]
    public void Menu_FitsTelegramsRules()
    {
        Assert.All(AdminCommands.All, c =>
        {
            Assert.Matches("^[a-z0-9_]{1,32}$", c.Name);
            Assert.InRange(c.Description.Length, 1, 256);
        });
    }
}

public class ConfirmationBookTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ConfirmationBook _book = new();

    [Fact]
    public void Button_WorksOnceForItsOwnerBeforeItExpires()
    {
        var p = _book.Add(1, 1, "restart", "echo", _time.GetUtcNow() + TimeSpan.FromSeconds(60));
        Assert.Equal(ConfirmationBook.Outcome.NotYours, _book.Press(ConfirmationBook.ConfirmPrefix + p.Nonce, 2, _time.GetUtcNow()).Outcome);
        Assert.Equal(ConfirmationBook.Outcome.Confirmed, _book.Press(ConfirmationBook.ConfirmPrefix + p.Nonce, 1, _time.GetUtcNow()).Outcome);
        Assert.Equal(ConfirmationBook.Outcome.Unknown, _book.Press(ConfirmationBook.ConfirmPrefix + p.Nonce, 1, _time.GetUtcNow()).Outcome);
    }

    [Fact]
    public void Button_AfterItsTime_DoesNothing()
    {
        var p = _book.Add(1, 1, "stop", "echo", _time.GetUtcNow() + TimeSpan.FromSeconds(60));
        _time.Advance(TimeSpan.FromSeconds(60));
        var (outcome, pending) = _book.Press(ConfirmationBook.ConfirmPrefix + p.Nonce, 1, _time.GetUtcNow());
        Assert.Equal(ConfirmationBook.Outcome.Expired, outcome);
        Assert.Equal("echo", pending!.BotId);
    }

    [Fact]
    public void ForgedData_IsUnknown()
    {
        Assert.Equal(ConfirmationBook.Outcome.Unknown, _book.Press("ok:deadbeef", 1, _time.GetUtcNow()).Outcome);
        Assert.Equal(ConfirmationBook.Outcome.Unknown, _book.Press("restart echo", 1, _time.GetUtcNow()).Outcome);
    }
}
