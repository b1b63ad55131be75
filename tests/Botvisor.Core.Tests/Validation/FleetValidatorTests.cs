using Botvisor.Core.Configuration;
using Botvisor.Core.Validation;

namespace Botvisor.Core.Tests.Validation;

public class FleetValidatorTests
{
    private static IReadOnlyList<FleetError> Validate(string yaml)
    {
        var loaded = FleetFileLoader.Parse(yaml, "/tmp/botvisor.yaml", "/tmp", _ => null);
        Assert.Empty(loaded.Errors);
        return FleetValidator.Default.Validate(loaded.Fleet!, loaded.Locations);
    }

    [Fact]
    public void Accepts_AValidFleet() =>
        Assert.Empty(Validate("bots:\n  a: { command: sleep 1 }\n  b: { command: sleep 1, depends_on: [a] }\n"));

    [Theory]
    [InlineData("Echo")]
    [InlineData("-echo")]
    [InlineData("echo.bot")]
    public void Rejects_BadBotId(string id)
    {
        var error = Assert.Single(Validate($"bots:\n  {id}: {{ command: sleep 1 }}\n"));
        Assert.Equal(id, error.Value);
        Assert.Equal(2, error.Location!.Value.Line);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("12345:short")]
    [InlineData("abc:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq")]
    [InlineData("123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")]
    [InlineData("123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw!")]
    public void Rejects_ATokenNotOfTelegramsShape_NamingTheBot(string token)
    {
        var error = Assert.Single(Validate($"bots:\n  weather: {{ command: sleep 1, token: \"{token}\" }}\n"));
        Assert.Equal("bots.weather.token", error.Path);
        Assert.Contains("bot 'weather'", error.Message);
        Assert.Contains("35 characters", error.Message);
        Assert.DoesNotContain("AAHdq", error.ToString());
    }

    [Theory]
    [InlineData("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq")]
    [InlineData("1:___________________________________")]
    [InlineData("1:-----------------------------------")]
    public void Accepts_ATokenOfTelegramsShape(string token) =>
        Assert.Empty(Validate($"bots:\n  weather: {{ command: sleep 1, token: \"{token}\" }}\n"));

    [Theory]
    [InlineData("123:ABC", true)]
    [InlineData("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq", true)]
    [InlineData("cli-test-api-token", false)]
    [InlineData("s3cr3t:with space", false)]
    [InlineData("123:", false)]
    public void LooksLikeTelegramToken_SpotsBotTokensGivenAsTheApiToken(string value, bool expected) =>
        Assert.Equal(expected, TokenValidator.LooksLikeTelegramToken(value));

    [Fact]
    public void Rejects_DuplicateToken_NamingTheFirstOwner_WithoutRevealingIt()
    {
        var errors = Validate("""
            bots:
              a: { command: sleep 1, token: "123:secretsecretsecretsecretsecretsecre" }
              b: { command: sleep 1, token: "123:secretsecretsecretsecretsecretsecre" }
            """);
        var error = Assert.Single(errors);
        Assert.Equal("bots.b.token", error.Path);
        Assert.Contains("'a' already uses this token", error.Message);
        Assert.DoesNotContain("secretsecret", error.ToString());
        Assert.Equal("123:****", error.Value);
    }

    [Fact]
    public void Rejects_DependencyCycle()
    {
        var errors = Validate("""
            bots:
              a: { command: sleep 1, depends_on: [b] }
              b: { command: sleep 1, depends_on: [c] }
              c: { command: sleep 1, depends_on: [a] }
            """);
        var error = Assert.Single(errors);
        Assert.Contains("dependency cycle: a -> b -> c -> a", error.Message);
    }

    [Fact]
    public void Rejects_UnknownDependency()
    {
        var error = Assert.Single(Validate("bots:\n  a: { command: sleep 1, depends_on: [nope] }\n"));
        Assert.Equal("bots.a.depends_on[0]", error.Path);
        Assert.Equal("nope", error.Value);
    }

    [Fact]
    public void Rejects_ProgramNotOnPath()
    {
        var error = Assert.Single(Validate("bots:\n  a: { command: pyhton3 bot.py }\n"));
        Assert.Equal("bots.a.command", error.Path);
        Assert.Contains("not found on PATH", error.Message);
    }

    [Theory]
    [InlineData("backoff: { multiplier: 0.5 }", "bots.a.backoff.multiplier")]
    [InlineData("backoff: { jitter: 2 }", "bots.a.backoff.jitter")]
    [InlineData("backoff: { initial: 10s, max: 1s }", "bots.a.backoff.max")]
    [InlineData("stop_timeout: 0s", "bots.a.stop_timeout")]
    public void Rejects_NonsensicalTiming(string setting, string path)
    {
        var error = Assert.Single(Validate($"bots:\n  a: {{ command: sleep 1, {setting} }}\n"));
        Assert.Equal(path, error.Path);
    }

    [Fact]
    public void Accepts_ZeroBackoff_ForAnImmediateRestart() =>
        Assert.Empty(Validate("bots:\n  a: { command: sleep 1, backoff: { initial: 0s, max: 0s } }\n"));
}
