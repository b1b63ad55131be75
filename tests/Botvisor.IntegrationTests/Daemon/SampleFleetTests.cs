using Botvisor.Core.Configuration;
using Botvisor.IntegrationTests.Api;

namespace Botvisor.IntegrationTests.Daemon;

/// <summary>The quick start's fleet file is valid, and its admin bot talks to the emulator the fleet starts.</summary>
public class SampleFleetTests
{
    [Fact]
    public void SampleFleet_IsValid_AndRunsTheAdminBotAgainstTheEmulator()
    {
        var path = Path.Combine(OpenApiBaselineTests.RepositoryRoot(), "samples", "fleet", "botvisor.yaml");
        var loaded = FleetLoader.LoadAndValidate(path, _ => null);

        Assert.True(loaded.Succeeded, string.Join('\n', loaded.Errors));
        var fleet = loaded.Fleet!;
        var admin = Botvisor.AdminBot.AdminBotSetup.WithBaseUrl(fleet)!;
        Assert.Equal("http://127.0.0.1:8081", admin.ApiBaseUrl);
        Assert.Equal("1000002:AAAdminBotFakeTokenForSampleFleet02", admin.Token.Reveal()); // the README's curl
        Assert.Equal([1L], admin.Users.Keys);
        Assert.Equal([1L], admin.Chats);
        Assert.Contains("fleet_admin_bot=${ADMIN_BOT_TOKEN}", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.DoesNotContain(fleet.Bots, b => b.Token?.Equals(admin.Token) == true);
        Assert.Equal(3, fleet.Bots.Single(b => b.Id == "crashy").MaxRestarts);
    }
}
