using Botvisor.IntegrationTests.Runners;

namespace Botvisor.IntegrationTests.AdminBot;

/// <summary>An emulator per test, and fleet files with the daemon's admin bot on it.</summary>
public abstract class AdminBotTestBase : IAsyncLifetime
{
    protected const long Operator = 111111;

    protected EmulatorHost Emulator { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Emulator = await EmulatorHost.StartAsync();

    public ValueTask DisposeAsync() => Emulator.DisposeAsync();

    /// <summary>
    /// A fleet whose admin bot answers <paramref name="users"/> and alerts <paramref name="chats"/>;
    /// <paramref name="admin"/> and <paramref name="alerts"/> are more lines of those sections (indented two spaces).
    /// </summary>
    protected TempFleet Fleet(string adminToken, string bots, string users, string chats, string admin = "", string alerts = "", string wait = "1s") => new TempFleet().Write($$"""
        defaults:
          restart: on-failure
          backoff: { initial: 100ms, max: 200ms, jitter: 0 }
          stop_timeout: 5s
        admin:
          token: "{{adminToken}}"
          users: [{{users}}]
          chats: [{{chats}}]
          api_base_url: "{{Emulator.BaseUrl}}"
        {{admin}}
        alerts:
          wait: {{wait}}
          group: 1s
        {{alerts}}
        bots:
        {{bots}}
        """);
}
