using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Botvisor.Core.Cluster;
using Botvisor.Core.Fleet;
using Botvisor.Core.Gateway;
using Botvisor.Gateway;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Botvisor.IntegrationTests.Gateway;

/// <summary>The gateway's listener and forwarder in-process, against the emulator: lease fencing, Telegram's answers kept.</summary>
public class GatewayForwarderTests : IAsyncLifetime
{
    private sealed class SwitchableFence : ILeaseFence
    {
        public volatile bool Holds;
        public long Epoch = 7;

        public long? HeldEpoch(string botId) => Holds ? Interlocked.Read(ref Epoch) : null;

        public CancellationToken Tenure(string botId) => Holds ? CancellationToken.None : new CancellationToken(true);
    }

    private readonly SwitchableFence _fence = new();
    private readonly ListLoggerProvider _logs = new();
    private readonly List<(string Bot, string Message)> _events = [];
    private EmulatorHost _emu = null!;
    private GatewayRegistry _registry = null!;
    private GatewayHost _host = null!;
    private ServiceProvider _services = null!;

    public async ValueTask InitializeAsync()
    {
        _emu = await EmulatorHost.StartAsync();
        _registry = new GatewayRegistry(TimeProvider.System);
        _services = new ServiceCollection().BuildServiceProvider();
        var forwarder = new GatewayForwarder(_registry, _fence, GatewayForwarder.CreateClient(), _logs.CreateLogger("gateway"), (bot, message) =>
        {
            lock (_events) _events.Add((bot, message));
        });
        _host = new GatewayHost(_registry, forwarder, _services, NullLoggerFactory.Instance);
        await _host.StartAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
        _logs.Dispose();
        await _services.DisposeAsync();
        await _emu.DisposeAsync();
    }

    private async Task<(string Token, GatewayRun Run, HttpClient Gateway)> BotAsync(string name)
    {
        var token = await _emu.RegisterAsync(name);
        var run = _registry.Issue(new BotSpec { Id = "echo", Command = ["x"], WorkingDirectory = "/", Token = new BotToken(token), Gateway = true, TelegramApiBaseUrl = _emu.BaseUrl });
        return (token, run, new HttpClient { BaseAddress = new Uri(_registry.BaseUrl!), Timeout = TestTimeouts.Event });
    }

    [Fact]
    public async Task Fence_WhileThisNodeDoesNotHoldTheBotsLease_NothingReachesTelegram()
    {
        var (token, run, gateway) = await BotAsync("fenced_bot");
        using var _ = gateway;
        _fence.Holds = false;
        var refused = await gateway.PostAsJsonAsync($"/bot{run.Placeholder}/sendMessage", new JsonObject { ["chat_id"] = 1, ["text"] = "not now" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("does not hold the bot's lease", (await refused.Content.ReadFromJsonAsync<JsonObject>())!["description"]!.GetValue<string>());
        Assert.Equal(0, (await _emu.StatsAsync(token))["sent"]!.GetValue<int>());

        _fence.Holds = true;
        var sent = await gateway.PostAsJsonAsync($"/bot{run.Placeholder}/sendMessage", new JsonObject { ["chat_id"] = 1, ["text"] = "now" });
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        Assert.Equal(1, (await _emu.StatsAsync(token))["sent"]!.GetValue<int>());

        // The lease was lost and taken again (a new epoch): this run belongs to the earlier tenure.
        Interlocked.Exchange(ref _fence.Epoch, 8);
        var stale = await gateway.PostAsJsonAsync($"/bot{run.Placeholder}/sendMessage", new JsonObject { ["chat_id"] = 1, ["text"] = "stale" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stale.StatusCode);
        Assert.Equal(1, (await _emu.StatsAsync(token))["sent"]!.GetValue<int>());
    }

    [Fact]
    public async Task UnreachableTelegram_IsA502InTelegramsShape_AndTheLogNeverShowsTheToken()
    {
        _fence.Holds = true;
        using var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        int port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop(); // nothing listens there any more
        const string token = "7000000999:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq";
        var run = _registry.Issue(new BotSpec { Id = "echo", Command = ["x"], WorkingDirectory = "/", Token = new BotToken(token), Gateway = true, TelegramApiBaseUrl = $"http://127.0.0.1:{port}" });
        using var gateway = new HttpClient { BaseAddress = new Uri(_registry.BaseUrl!), Timeout = TestTimeouts.Event };
        var answer = await gateway.GetAsync($"/bot{run.Placeholder}/getMe");
        Assert.Equal(HttpStatusCode.BadGateway, answer.StatusCode);
        Assert.Equal("""{"ok":false,"error_code":502,"description":"Bad Gateway"}""", await answer.Content.ReadAsStringAsync());
        var logged = Assert.Single(_logs.Messages, m => m.Id.Id == 603);
        Assert.Contains("Bot echo: getMe could not be forwarded", logged.Message);
        Assert.DoesNotContain("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq", string.Join('\n', _logs.Messages.Select(m => m.Message)));
    }

    [Fact]
    public async Task Answers_KeepTelegramsStatusAndBody_ForErrorsToo()
    {
        _fence.Holds = true;
        var (token, run, gateway) = await BotAsync("answers_bot");
        using var _ = gateway;
        foreach (var (method, body) in new[] { ("sendMessage", "{\"chat_id\":1}"), ("noSuchMethod", "{}"), ("getFile", "{\"file_id\":\"nope\"}"), ("getMe", "{}") })
        {
            using var direct = await _emu.Http.PostAsync($"/bot{token}/{method}", new StringContent(body, Encoding.UTF8, "application/json"));
            using var through = await gateway.PostAsync($"/bot{run.Placeholder}/{method}", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(direct.StatusCode, through.StatusCode);
            Assert.Equal(await direct.Content.ReadAsStringAsync(), await through.Content.ReadAsStringAsync());
        }
        var methods = run.Bot.Stats.Methods().ToDictionary(m => m.Method);
        Assert.Equal(1, methods["sendMessage"].Errors);
        Assert.Equal(0, methods["getMe"].Errors);
    }

    [Fact]
    public async Task Upload_OfSeveralMegabytes_IsStreamedThrough_AndTheDownloadComesBackWhole()
    {
        _fence.Holds = true;
        var (token, run, gateway) = await BotAsync("upload_bot");
        using var _ = gateway;
        var content = new byte[12 * 1024 * 1024];
        Random.Shared.NextBytes(content);
        using var form = new MultipartFormDataContent { { new StringContent("1"), "chat_id" }, { new ByteArrayContent(content), "document", "big.bin" } };
        var sent = await gateway.PostAsync($"/bot{run.Placeholder}/sendDocument", form);
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        var fileId = (await sent.Content.ReadFromJsonAsync<JsonObject>())!["result"]!["document"]!["file_id"]!.GetValue<string>();

        var file = await gateway.GetFromJsonAsync<JsonObject>($"/bot{run.Placeholder}/getFile?file_id={Uri.EscapeDataString(fileId)}");
        var path = file!["result"]!["file_path"]!.GetValue<string>();
        Assert.Equal(content, await gateway.GetByteArrayAsync($"/file/bot{run.Placeholder}/{path}"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.GetAsync($"/file/bot{token}/{path}")).StatusCode);
    }

    [Fact]
    public async Task Token_TwoBotIdsWithOneToken_NeverPollTogether_TheNewIdsRunEndsTheOldIdsPoll()
    {
        _fence.Holds = true;
        var token = await _emu.RegisterAsync("renamed_bot");
        BotSpec Spec(string id) => new() { Id = id, Command = ["x"], WorkingDirectory = "/", Token = new BotToken(token), Gateway = true, TelegramApiBaseUrl = _emu.BaseUrl };
        var old = _registry.Issue(Spec("a"));
        using var gateway = new HttpClient { BaseAddress = new Uri(_registry.BaseUrl!), Timeout = TestTimeouts.Event };
        var oldPoll = gateway.GetAsync($"/bot{old.Placeholder}/getUpdates?timeout=50");
        using (var cts = new CancellationTokenSource(TestTimeouts.Event))
        {
            while (!(await _emu.StatsAsync(token))["polling"]!.GetValue<bool>()) await Task.Delay(20, cts.Token);
        }

        // A reload renamed a to b: b's worker is spawned while a's is still stopping, and polling.
        var renamed = _registry.Issue(Spec("b"));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => oldPoll);
        using (var cts = new CancellationTokenSource(TestTimeouts.Event))
        {
            while ((await _emu.StatsAsync(token))["polling"]!.GetValue<bool>()) await Task.Delay(20, cts.Token);
        }
        using var poll = await gateway.GetAsync($"/bot{renamed.Placeholder}/getUpdates?timeout=0");
        Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
        Assert.Equal(0, (await _emu.StatsAsync(token))["conflicts"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.GetAsync($"/bot{old.Placeholder}/getMe")).StatusCode);
    }

    [Fact]
    public async Task Run_WhenItEnds_ItsLongPollIsCancelled_AndItsPlaceholderRefused()
    {
        _fence.Holds = true;
        var (token, run, gateway) = await BotAsync("ending_bot");
        using var _ = gateway;
        var poll = gateway.GetAsync($"/bot{run.Placeholder}/getUpdates?timeout=50");
        using (var cts = new CancellationTokenSource(TestTimeouts.Event))
        {
            while (!(await _emu.StatsAsync(token))["polling"]!.GetValue<bool>()) await Task.Delay(20, cts.Token);
        }
        _registry.Revoke(run);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => poll); // the connection is closed: nothing of the run is answered
        using (var cts = new CancellationTokenSource(TestTimeouts.Event))
        {
            while ((await _emu.StatsAsync(token))["polling"]!.GetValue<bool>()) await Task.Delay(20, cts.Token);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.GetAsync($"/bot{run.Placeholder}/getMe")).StatusCode);
    }
}
