using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;
using Botvisor.Core.Validation;

namespace Botvisor.Core.Tests.Gateway;

/// <summary><c>gateway:</c> and <c>liveness:</c> in the fleet file: parsed in defaults and bots, merged, validated with locations.</summary>
public class GatewayConfigTests
{
    private const string Token = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq";

    private static (FleetLoadResult Loaded, IReadOnlyList<FleetError> Errors) Load(string yaml)
    {
        var loaded = FleetFileLoader.Parse(yaml, "/fleet/botvisor.yaml", "/fleet", _ => null);
        var errors = loaded.Fleet is null ? loaded.Errors : [.. loaded.Errors, .. FleetValidator.Default.Validate(loaded.Fleet, loaded.Locations)];
        return (loaded, errors);
    }

    [Fact]
    public void Defaults_GatewayAndLiveness_ReachEveryBotWithAToken_AndNoBotWithout()
    {
        var (loaded, errors) = Load($"""
            defaults:
              gateway: true
              liveness: {"{"} max_poll_gap: 2m {"}"}
            bots:
              echo: {"{"} command: sleep 1, token: "{Token}" {"}"}
              emulator: {"{"} command: sleep 1 {"}"}
              direct: {"{"} command: sleep 1, token: "123457:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq", gateway: false {"}"}
            """);
        Assert.Empty(errors);
        var specs = BotSpecResolver.ResolveAll(loaded.Fleet!, "file").ToDictionary(s => s.Id);
        Assert.True(specs["echo"].Gateway);
        Assert.Equal(TimeSpan.FromMinutes(2), specs["echo"].MaxPollGap);
        Assert.False(specs["emulator"].Gateway);
        Assert.Null(specs["emulator"].MaxPollGap);
        Assert.False(specs["direct"].Gateway);
        Assert.Null(specs["direct"].MaxPollGap);
    }

    [Fact]
    public void Gateway_ChangingIt_ChangesTheSpec()
    {
        var (a, _) = Load($"bots:\n  echo: {{ command: sleep 1, token: \"{Token}\" }}\n");
        var (b, _) = Load($"bots:\n  echo: {{ command: sleep 1, token: \"{Token}\", gateway: true }}\n");
        Assert.NotEqual(BotSpecResolver.ResolveAll(a.Fleet!, "f")[0], BotSpecResolver.ResolveAll(b.Fleet!, "f")[0]);
    }

    [Fact]
    public void Rejects_GatewayOnABotWithoutAToken_AtItsLine()
    {
        var (_, errors) = Load("bots:\n  echo:\n    command: sleep 1\n    gateway: true\n");
        var error = Assert.Single(errors);
        Assert.Equal("bots.echo.gateway", error.Path);
        Assert.Equal(4, error.Location!.Value.Line);
        Assert.Contains("token", error.Message);
    }

    [Fact]
    public void Rejects_LivenessOnABotNotBehindTheGateway()
    {
        var (_, errors) = Load($"bots:\n  echo:\n    command: sleep 1\n    token: \"{Token}\"\n    liveness: {{ max_poll_gap: 2m }}\n");
        var error = Assert.Single(errors);
        Assert.Equal("bots.echo.liveness.max_poll_gap", error.Path);
        Assert.Equal("2m", error.Value);
        Assert.Contains("gateway: true", error.Message);
    }

    [Theory]
    [InlineData("max_poll_gap: 500ms", "defaults.liveness.max_poll_gap", "500ms")]
    [InlineData("max_poll_gap: soon", "defaults.liveness.max_poll_gap", "soon")]
    [InlineData("max_gap: 2m", "defaults.liveness.max_gap", null)]
    public void Rejects_ABadLiveness_NamingTheField(string liveness, string path, string? value)
    {
        var (_, errors) = Load($"defaults:\n  gateway: true\n  liveness: {{ {liveness} }}\nbots:\n  echo: {{ command: sleep 1, token: \"{Token}\" }}\n");
        var error = Assert.Single(errors);
        Assert.Equal(path, error.Path);
        Assert.Equal(3, error.Location!.Value.Line);
        if (value is not null) Assert.Equal(value, error.Value);
    }

    [Fact]
    public void Rejects_AGatewayBotWhoseCommandCarriesItsToken_WithoutShowingIt()
    {
        var (_, errors) = Load($"defaults:\n  gateway: true\nbots:\n  echo:\n    command: [\"sleep\", \"--token={Token}\"]\n    token: \"{Token}\"\n");
        var error = Assert.Single(errors);
        Assert.Equal("bots.echo.command", error.Path);
        Assert.NotNull(error.Location);
        Assert.DoesNotContain("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq", error.ToString());
    }

    [Fact]
    public void Rejects_AGatewayThatIsNotABoolean()
    {
        var (_, errors) = Load($"bots:\n  echo: {{ command: sleep 1, token: \"{Token}\", gateway: maybe }}\n");
        var error = Assert.Single(errors);
        Assert.Equal("bots.echo.gateway", error.Path);
        Assert.Equal("maybe", error.Value);
    }
}
