using Botvisor.IntegrationTests.Runners;

namespace Botvisor.BrowserTests.Dashboard;

/// <summary>
/// A daemon with an API token and a fleet like the quick start's: two echo bots polling the Bot API
/// emulator (their @usernames from getMe), a bot that crashes every two seconds, and one that prints
/// a line three times a second.
/// </summary>
public sealed class SampleFleet : IAsyncLifetime
{
    public const string ApiToken = "browser-test-api-token-0123456789";

    private TempFleet? _fleet;
    private EmulatorHost? _emulator;

    public DaemonRunner Daemon { get; private set; } = null!;
    public Uri Address { get; private set; } = null!;
    public IReadOnlyList<string> BotTokens { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        _emulator = await EmulatorHost.StartAsync();
        var echo = await _emulator.RegisterAsync("echo_sample_bot");
        var admin = await _emulator.RegisterAsync("admin_sample_bot");
        BotTokens = [echo, admin];
        var bot = Path.Combine(Screenshots.RepositoryRoot(), "samples", "bots", "python-stdlib", "echo_bot.py");
        _fleet = new TempFleet().Write($$"""
            defaults:
              stop_timeout: 3s
              backoff: { initial: 500ms, max: 1s, jitter: 0 }
              telegram: { api_base_url: "{{_emulator.BaseUrl}}" }
            bots:
              echo:
                command: ["python3", "-u", "{{bot}}"]
                token: "{{echo}}"
              admin:
                command: ["python3", "-u", "{{bot}}"]
                token: "{{admin}}"
                gateway: true   # behind the daemon's Bot API gateway: last poll and 429s in the table
              crashy:
                command: ["sh", "-c", "echo starting; sleep 2; echo 'crashed on purpose' >&2; exit 3"]
                restart: always
                min_uptime: 1s
                backoff: { initial: 3s, max: 3s, jitter: 0 }
              talker:
                command: ["sh", "-c", "i=0; while :; do i=$((i+1)); echo \"tick $i\"; sleep 0.3; done"]
            """);
        Daemon = DaemonRunner.Start(_fleet.ConfigPath, _fleet.StateDir, new Dictionary<string, string> { ["BOTVISOR_API_TOKEN"] = ApiToken });
        Address = await Daemon.ApiAddressAsync();
        await Daemon.WaitForRunningAsync("echo");
    }

    /// <summary>An API client with the bearer token (what a script would use beside the browser).</summary>
    public Task<HttpClient> ApiAsync() => Daemon.HttpAsync(ApiToken);

    public async ValueTask DisposeAsync()
    {
        await Daemon.DisposeAsync();
        if (_emulator is not null) await _emulator.DisposeAsync();
        _fleet?.Dispose();
    }
}
