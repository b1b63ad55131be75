using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;

namespace Botvisor.Core.Tests.Configuration;

public class AdminConfigTests
{
    private const string AdminToken = "7000000001:AAAdminBotFakeTokenForTests00000001";
    private const string EchoToken = "7000000002:AAEchoBotFakeTokenForTests000000002";

    private static FleetLoadResult Load(string yaml)
    {
        var result = FleetFileLoader.Parse(yaml, "/fleet/botvisor.yaml", "/fleet", name => name == "ADMIN_BOT_TOKEN" ? AdminToken : null);
        return result.Fleet is null ? result : result with { Errors = [.. result.Errors, .. Botvisor.Core.Validation.FleetValidator.Default.Validate(result.Fleet, result.Locations)] };
    }

    [Fact]
    public void Admin_FullSection_ReadsUsersRolesChatsAndAlerts()
    {
        var result = Load("""
            admin:
              token: ${ADMIN_BOT_TOKEN}
              users: [123456789, 987654321]
              roles: { 987654321: view }
              chats: [-1001234567890, 123456789]
              api_base_url: http://127.0.0.1:8081
              confirm_for: 30s
            alerts:
              webhooks: [https://hooks.example.com/a, { url: "http://127.0.0.1:9/b", headers: { Authorization: "Bearer x" } }]
              wait: 10s
              group: 1m
              repeat: 2h
              unhealthy_after: 30s
              restart_storm: { restarts: 3, within: 5m }
              digest_after: 8
            """);

        Assert.Empty(result.Errors);
        var admin = result.Fleet!.Admin!;
        Assert.Equal(AdminToken, admin.Token.Reveal());
        Assert.Equal(AdminRole.Operate, admin.Users[123456789]);
        Assert.Equal(AdminRole.View, admin.Users[987654321]);
        Assert.Equal([-1001234567890, 123456789], admin.Chats);
        Assert.Equal(TimeSpan.FromSeconds(30), admin.ConfirmFor);
        var alerts = result.Fleet.Alerts!;
        Assert.Equal(2, alerts.Webhooks.Count);
        Assert.Equal("Bearer x", alerts.Webhooks[1].Headers["Authorization"]);
        Assert.Equal("https://hooks.example.com/…", alerts.Webhooks[0].Display);
        Assert.Equal((3, TimeSpan.FromMinutes(5), 8), (alerts.StormRestarts, alerts.StormWindow, alerts.DigestAfter));
    }

    [Theory]
    [InlineData("users: [12x]", "admin.users[0]", 3, 11, "12x")]
    [InlineData("users: [-5]", "admin.users[0]", 3, 11, "-5")]
    [InlineData("users: [1]\n  chats: [0]", "admin.chats[0]", 4, 11, "0")]
    [InlineData("users: [1]\n  chats: [group]", "admin.chats[0]", 4, 11, "group")]
    [InlineData("users: [1]\n  roles: { 2: view }", "admin.roles.2", 4, 12, "2")]
    [InlineData("users: [1]\n  roles: { 1: admin }", "admin.roles.1", 4, 15, "admin")]
    public void Admin_BadUserOrChat_IsLocated(string section, string path, int line, int column, string value)
    {
        var result = Load($"""
            bots: {"{}"}
            admin:
              {section}
              token: ${"{"}ADMIN_BOT_TOKEN{"}"}
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        Assert.Equal((line, column), (error.Location!.Value.Line, error.Location.Value.Column));
        Assert.Equal(value, error.Value);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public void Admin_TokenOfAFleetBot_IsRefusedAndMasked()
    {
        var result = Load($"""
            admin: {"{"} token: "{EchoToken}", users: [1] {"}"}
            bots:
              echo: {"{"} command: [python3, echo.py], token: "{EchoToken}" {"}"}
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal("admin.token", error.Path);
        Assert.Contains("bot 'echo' uses the admin bot's token", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(EchoToken, error.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, error.Location!.Value.Line);
    }

    [Theory]
    [InlineData("admin: { users: [1] }", "admin", "no 'token:'")]
    [InlineData("admin: { token: \"12:short\", users: [1] }", "admin.token", "not a Telegram bot token")]
    [InlineData("admin: { token: \"${ADMIN_BOT_TOKEN}\" }", "admin", "at least one user")]
    [InlineData("admin: { token: \"${ADMIN_BOT_TOKEN}\", users: [1], confirm_for: 2s }", "admin.confirm_for", "from 5s to 1h")]
    [InlineData("admin: { token: \"${ADMIN_BOT_TOKEN}\", userz: [1] }", "admin.userz", "did you mean 'users'")]
    [InlineData("alerts: { webhooks: [ftp://x/y] }", "alerts.webhooks[0]", "http:// or https://")]
    [InlineData("alerts: { repeat: 0s }", "alerts.repeat", "longer than zero")]
    [InlineData("alerts: { restart_storm: { restarts: 1 } }", "alerts.restart_storm.restarts", "at least 2")]
    public void Admin_BadSetting_IsRefused(string yaml, string path, string message)
    {
        var result = Load(yaml);

        Assert.Contains(result.Errors, e => e.Path == path && e.Message.Contains(message, StringComparison.Ordinal));
        Assert.All(result.Errors, e => Assert.DoesNotContain(AdminToken, e.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void Webhook_BadUrl_DoesNotEchoTheUrl()
    {
        var result = Load("alerts: { webhooks: [\"hxxp://hooks.example.com/secret-path-token\"] }");

        var error = Assert.Single(result.Errors);
        Assert.DoesNotContain("secret-path-token", error.ToString(), StringComparison.Ordinal);
    }
}
