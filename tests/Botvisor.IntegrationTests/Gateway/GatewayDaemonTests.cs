using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Botvisor.IntegrationTests.Api;
using Botvisor.IntegrationTests.Runners;
using Botvisor.IntegrationTests.Telegram;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.Gateway;

/// <summary>
/// The daemon's Bot API gateway with real workers against the emulator: dead placeholders, what is not
/// forwarded, kill -9 with no lost update and no 409, an outside poller, a stopped poller, a 429 burst.
/// </summary>
[Collection(Daemon.DaemonCollection.Name)]
public class GatewayDaemonTests : IAsyncLifetime
{
    private const int StateChanged = 200;
    private const int GatewayOutsidePoller = 601;

    private EmulatorHost _emu = null!;

    public async ValueTask InitializeAsync() => _emu = await EmulatorHost.StartAsync();

    public ValueTask DisposeAsync() => _emu.DisposeAsync();

    private static string Samples => Path.Combine(OpenApiBaselineTests.RepositoryRoot(), "samples", "bots");

    private static string Stdlib => $"[\"python3\", \"-u\", \"{Path.Combine(Samples, "python-stdlib", "echo_bot.py")}\"]";

    /// <summary>A worker that only sleeps: the test calls the gateway itself with the worker's placeholder.</summary>
    private const string Sleeper = "[\"sleep\", \"1000\"]";

    private string Fleet(string token, string command, string extra = "") => $$"""
        defaults:
          restart: always
          max_restarts: 100
          backoff: { initial: 100ms, max: 300ms, jitter: 0 }
          stop_timeout: 5s
          gateway: true
        bots:
          echo:
            command: {{command}}
            token: "{{token}}"
            telegram: { api_base_url: "{{_emu.BaseUrl}}" }
        {{extra}}
        """;

    /// <summary>A daemon running one gateway bot <c>echo</c> (a fresh emulator bot), once its worker runs.</summary>
    private sealed class Running : IAsyncDisposable
    {
        public Running(string token, string yaml)
        {
            Token = token;
            Fleet = new TempFleet().Write(yaml);
            Daemon = DaemonRunner.Start(Fleet.ConfigPath, Fleet.StateDir);
        }

        public string Token { get; }
        public TempFleet Fleet { get; }
        public DaemonRunner Daemon { get; }
        public int Pid { get; set; }

        public async ValueTask DisposeAsync()
        {
            await Daemon.DisposeAsync();
            Fleet.Dispose();
        }
    }

    private async Task<Running> StartAsync(string username, string command, string extra = "")
    {
        var token = await _emu.RegisterAsync(username);
        var run = new Running(token, Fleet(token, command, extra));
        try
        {
            run.Pid = await run.Daemon.WaitForRunningAsync("echo");
            return run;
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
    }

    private static (string Placeholder, HttpClient Gateway) Worker(int pid)
    {
        var env = GatewayAssertions.Environment(pid);
        return (env["BOT_TOKEN"], new HttpClient { BaseAddress = new Uri(env["TELEGRAM_API_BASE_URL"]), Timeout = TestTimeouts.Event });
    }

    [Fact]
    public async Task StaleRunsPlaceholder_IsRefusedWith401_AndNothingButTheBotApiIsForwarded()
    {
        await using var run = await StartAsync("stale_bot", Sleeper);
        var (token, fleet, daemon) = (run.Token, run.Fleet, run.Daemon);
        int pid = run.Pid;
        var (first, gateway) = Worker(pid);
        using var _ = gateway;

        var me = await gateway.GetFromJsonAsync<JsonObject>($"/bot{first}/getMe");
        Assert.Equal("stale_bot", me!["result"]!["username"]!.GetValue<string>());

        int mark = daemon.Mark;
        Processes.Kill(pid);
        int next = await daemon.WaitForRunningAsync("echo", after: mark);
        var (second, _) = Worker(next);
        Assert.NotEqual(first, second);

        foreach (var path in new[] { $"/bot{first}/getMe", $"/bot{first}/getUpdates", $"/file/bot{first}/documents/file_1.bin", $"/bot{token}/getMe", "/bot123:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/getMe" })
        {
            var response = await gateway.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("""{"ok":false,"error_code":401,"description":"Unauthorized"}""", await response.Content.ReadAsStringAsync());
        }
        foreach (var path in new[] { "/", "/status", "/_emulator/bots", $"/bot{second}/getMe/extra", $"/bot{second}/get.Me", $"/file/bot{second}/../../_emulator/bots", $"/file/bot{second}/a/%2e%2e/b", $"/file/bot{second}/a//x", $"/file/bot{second}//var/../x" })
        {
            var response = await gateway.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
        }
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync($"/bot{second}/getMe")).StatusCode);
    }

    [Fact]
    public async Task KilledWorkers_LoseNoUpdate_AndNo409IsEverGiven()
    {
        await using var run = await StartAsync("kill_gateway_bot", Stdlib);
        var (token, fleet, daemon) = (run.Token, run.Fleet, run.Daemon);
        int pid = run.Pid;
        Assert.Equal("echo: hello", (await _emu.SendAndWaitForReplyAsync(token, "hello", 60))["text"]!.GetValue<string>());

        for (int i = 0; i < 10; i++)
        {
            await WaitForPollAsync(token); // killed in the middle of a long poll through the gateway
            int mark = daemon.Mark;
            Processes.Kill(pid);
            var reply = await _emu.SendAndWaitForReplyAsync(token, $"while down {i}", 60);
            Assert.Equal($"echo: while down {i}", reply["text"]!.GetValue<string>());
            pid = await daemon.WaitForRunningAsync("echo", after: mark);
        }

        Assert.Equal(0, (await _emu.StatsAsync(token))["conflicts"]!.GetValue<int>());
        using var http = await daemon.HttpAsync();
        var status = JsonDocument.Parse(await http.GetStringAsync("/bots/echo")).RootElement;
        Assert.Equal(0, status.GetProperty("conflicts").GetInt32());
    }

    [Fact]
    public async Task OutsidePoller_WithTheRealToken_IsReportedOnce_WithTheBotNamed()
    {
        await using var run = await StartAsync("outside_bot", Stdlib);
        var (token, fleet, daemon) = (run.Token, run.Fleet, run.Daemon);

        for (int i = 0; i < 3; i++)
        {
            await WaitForPollAsync(token);
            // Someone runs the bot elsewhere with its real token: Telegram ends the gateway's poll with 409.
            (await _emu.Http.GetAsync($"/bot{token}/getUpdates?timeout=0")).EnsureSuccessStatusCode();
        }
        var reported = await daemon.WaitForAsync(GatewayOutsidePoller);
        Assert.Contains("Bot echo: a poller outside Botvisor holds the bot's token", reported.Message);
        await WaitForPollAsync(token);
        Assert.Single(daemon.Entries, e => e.EventId == GatewayOutsidePoller);

        using var http = await daemon.HttpAsync();
        var events = await http.GetStringAsync("/events?bot=echo&follow=false");
        Assert.Contains("a poller outside Botvisor holds this bot", events); // (the apostrophe is escaped in JSON)
    }

    [Fact]
    public async Task WorkerWhosePollingStops_IsRestartedForThatReason()
    {
        // Polls once, then hangs with its process alive: what a bot whose polling loop died looks like.
        const string stuck = "import os, time, urllib.request\n"
            + "urllib.request.urlopen(os.environ['TELEGRAM_API_BASE_URL'] + '/bot' + os.environ['BOT_TOKEN'] + '/getUpdates?timeout=1').read()\n"
            + "print('polled once; now stuck', flush=True)\n"
            + "time.sleep(1000)\n";
        await using var run = await StartAsync("stuck_bot", $"[\"python3\", \"-c\", {JsonSerializer.Serialize(stuck)}]", "    liveness: { max_poll_gap: 2s }");
        var (token, fleet, daemon) = (run.Token, run.Fleet, run.Daemon);
        int pid = run.Pid;

        await RestartedForAsync(daemon, pid, "polling stopped: no getUpdates through the gateway for", "liveness.max_poll_gap 2s");
    }

    /// <summary>The worker is stopped with a reason made of <paramref name="reason"/>'s parts, and the bot runs again with another.</summary>
    private static async Task RestartedForAsync(DaemonRunner daemon, int pid, params string[] reason)
    {
        var stopping = await daemon.WaitForAsync(StateChanged, e => e.Message.StartsWith("Bot echo: stopping", StringComparison.Ordinal));
        foreach (var part in reason) Assert.Contains(part, stopping.Message);
        await daemon.WaitForRunningAsync("echo", after: daemon.Entries.ToList().FindIndex(e => e == stopping));
        Assert.False(Processes.IsAlive(pid));
    }

    [Fact]
    public async Task WebhookBot_IsJudgedByItsPendingUpdates_QuietIsFine_UndeliveredUpdatesRestartIt()
    {
        // Sets its webhook through the gateway, then lives on without a single getUpdates (Telegram would deliver to it).
        const string hook = "import json, os, time, urllib.request\n"
            + "req = urllib.request.Request(os.environ['TELEGRAM_API_BASE_URL'] + '/bot' + os.environ['BOT_TOKEN'] + '/setWebhook',"
            + " data=json.dumps({'url': 'https://bots.example.org/hook'}).encode(), headers={'Content-Type': 'application/json'})\n"
            + "print(urllib.request.urlopen(req).read().decode(), flush=True)\n"
            + "time.sleep(1000)\n";
        var token = await _emu.RegisterAsync("webhook_bot");
        // An earlier run set it already, so the first look finds it however slowly this worker starts.
        (await _emu.Http.GetAsync($"/bot{token}/setWebhook?url=https://bots.example.org/hook")).EnsureSuccessStatusCode();
        await using var run = new Running(token, Fleet(token, $"[\"python3\", \"-c\", {JsonSerializer.Serialize(hook)}]", "    liveness: { max_poll_gap: 2s }"));
        var daemon = run.Daemon;
        int pid = await daemon.WaitForRunningAsync("echo");
        using var api = await daemon.HttpAsync();

        // Quiet, nothing waiting: the gateway looks at getWebhookInfo again and again and leaves it running.
        JsonElement status;
        using (var cts = new CancellationTokenSource(TestTimeouts.Event))
        {
            do
            {
                await Task.Delay(100, cts.Token);
                status = JsonDocument.Parse(await api.GetStringAsync("/bots/echo", cts.Token)).RootElement;
            }
            while (!status.GetProperty("gateway").GetProperty("methods").TryGetProperty("setWebhook", out _)
                || (await _emu.StatsAsync(token))["webhook_info_calls"]!.GetValue<int>() < 6);
        }
        Assert.Equal(1, status.GetProperty("gateway").GetProperty("methods").GetProperty("setWebhook").GetProperty("calls").GetInt64());
        Assert.True(status.GetProperty("gateway").GetProperty("webhook").GetBoolean(), status.ToString());
        Assert.Equal(0, status.GetProperty("restarts").GetInt32());
        Assert.DoesNotContain(daemon.Entries, e => e.EventId == StateChanged && e.Message.StartsWith("Bot echo: stopping", StringComparison.Ordinal));
        Assert.True(Processes.IsAlive(pid));

        // Telegram cannot deliver to it any more and updates wait: restarted, with Telegram's error as the reason.
        await _emu.FailWebhookAsync(token, "Connection refused");
        await _emu.InjectAsync(token, "anyone there?");
        await RestartedForAsync(daemon, pid, "webhook stopped: 1 update waiting at Telegram for", "Telegram's last delivery failed", "Connection refused", "liveness.max_poll_gap 2s");
    }

    [Fact]
    public async Task WorkersOwnLog_MasksItsLivePlaceholder_AsItMasksRealTokens()
    {
        // What an HTTP client logging its URLs prints: the placeholder whole, percent-encoded, and on stderr.
        const string chatty = "import os, sys, time\n"
            + "t = os.environ['BOT_TOKEN']; base = os.environ['TELEGRAM_API_BASE_URL']\n"
            + "print(f'HTTP Request: POST {base}/bot{t}/getUpdates \"HTTP/1.1 200 OK\"', flush=True)\n"
            + "print('download ' + base + '/file/bot' + t.replace(':', '%3A') + '/documents/file_1.bin', flush=True)\n"
            + "print('token=' + t, file=sys.stderr, flush=True)\n"
            + "print('done printing', flush=True)\n"
            + "time.sleep(1000)\n";
        await using var run = await StartAsync("chatty_bot", $"[\"python3\", \"-c\", {JsonSerializer.Serialize(chatty)}]");
        var (placeholder, gateway) = Worker(run.Pid);
        using var _ = gateway;
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync($"/bot{placeholder}/getMe")).StatusCode); // it is live: it opens the gateway

        using var api = await run.Daemon.HttpAsync();
        string text = "";
        using (var cts = new CancellationTokenSource(TestTimeouts.Event))
        {
            while (!text.Contains("done printing", StringComparison.Ordinal))
            {
                await Task.Delay(50, cts.Token);
                text = await api.GetStringAsync("/bots/echo/logs?tail=10", cts.Token);
            }
        }
        string id = placeholder[..placeholder.IndexOf(':', StringComparison.Ordinal)];
        Assert.Contains($"/bot{id}:****/getUpdates", text);
        Assert.Contains($"/file/bot{id}%3A****/documents/file_1.bin", text);
        Assert.Contains($"token={id}:****", text);
        GatewayAssertions.NoTokenIn(placeholder, run.Fleet.StateDir, run.Daemon); // the log file, the database, the daemon's own lines
        GatewayAssertions.NoTokenIn(run.Token, run.Fleet.StateDir, run.Daemon);
    }

    [Fact]
    public async Task WorkerCallingManyMadeUpMethods_GrowsNoMetricSeries_TheyAreCountedAsOther()
    {
        // 300 distinct method names Telegram does not know (each answered 404 by it), then real ones in odd spellings.
        const string scatter = "import os, time, urllib.request, urllib.error\n"
            + "url = os.environ['TELEGRAM_API_BASE_URL'] + '/bot' + os.environ['BOT_TOKEN'] + '/'\n"
            + "for i in range(300):\n"
            + "    try: urllib.request.urlopen(url + f'madeUpMethod{i}').read()\n"
            + "    except urllib.error.HTTPError as e: e.read()\n"
            + "urllib.request.urlopen(url + 'getme').read(); urllib.request.urlopen(url + 'GETME').read()\n"
            + "print('scattered', flush=True)\n"
            + "time.sleep(1000)\n";
        await using var run = await StartAsync("scatter_bot", $"[\"python3\", \"-c\", {JsonSerializer.Serialize(scatter)}]");
        using var api = await run.Daemon.HttpAsync();
        JsonElement methods;
        using (var cts = new CancellationTokenSource(TestTimeouts.Event))
        {
            do
            {
                await Task.Delay(100, cts.Token);
                methods = JsonDocument.Parse(await api.GetStringAsync("/bots/echo", cts.Token)).RootElement.GetProperty("gateway").GetProperty("methods");
            }
            while (!methods.TryGetProperty("getMe", out var me) || me.GetProperty("calls").GetInt64() < 2);
        }
        Assert.Equal(["getMe", "other"], methods.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(300, methods.GetProperty("other").GetProperty("calls").GetInt64());
        Assert.Equal(300, methods.GetProperty("other").GetProperty("errors").GetInt64());

        var metrics = Prometheus.Parse(await api.GetStringAsync("/metrics"));
        var series = metrics.Samples.Where(s => s.Name == "botvisor_gateway_calls_total").ToList();
        Assert.Equal(["getMe", "other"], series.Select(s => s.Labels["method"]).Order(StringComparer.Ordinal));
        Assert.Equal(300, metrics.Value("botvisor_gateway_calls_total", ("bot_id", "echo"), ("method", "other")));
        Assert.Equal(300, metrics.Value("botvisor_gateway_errors_total", ("bot_id", "echo"), ("method", "other")));
        Assert.Equal(2, metrics.Value("botvisor_gateway_calls_total", ("bot_id", "echo"), ("method", "getMe")));
        Assert.Equal(0, metrics.Value("botvisor_gateway_method_series_folded"));
        Assert.DoesNotContain(metrics.Samples, s => s.Labels.Values.Any(v => v.Contains("madeUp", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task RateLimitBurst_IsAbsorbed_WithRetryAfterHonouredOnceForTheToken()
    {
        await using var run = await StartAsync("flood_bot", Sleeper);
        var (token, fleet, daemon) = (run.Token, run.Fleet, run.Daemon);
        int pid = run.Pid;
        var (placeholder, gateway) = Worker(pid);
        using var _ = gateway;

        await _emu.FloodAsync(token, 4);
        var first = await gateway.PostAsJsonAsync($"/bot{placeholder}/sendMessage", new JsonObject { ["chat_id"] = 1, ["text"] = "first" });
        Assert.Equal(HttpStatusCode.TooManyRequests, first.StatusCode);
        var body = (await first.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.InRange(body["parameters"]!["retry_after"]!.GetValue<int>(), 1, 4);

        using (var http = await daemon.HttpAsync())
        {
            var held = JsonDocument.Parse(await http.GetStringAsync("/bots/echo")).RootElement.GetProperty("gateway");
            Assert.True(held.GetProperty("retryAfter").GetInt32() > 0, held.ToString());
        }

        // A burst while Telegram asked to wait: held by the gateway, then sent; Telegram sees none of it early.
        var burst = Enumerable.Range(0, 20).Select(i => gateway.PostAsJsonAsync($"/bot{placeholder}/sendMessage", new JsonObject { ["chat_id"] = 1, ["text"] = $"burst {i}" })).ToList();
        var answers = await Task.WhenAll(burst);
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));

        var stats = await _emu.StatsAsync(token);
        Assert.Equal(1, stats["flood_rejections"]!.GetValue<int>());
        Assert.Equal(20, stats["sent"]!.GetValue<int>());

        using var api = await daemon.HttpAsync();
        var status = JsonDocument.Parse(await api.GetStringAsync("/bots/echo")).RootElement.GetProperty("gateway");
        var send = status.GetProperty("methods").GetProperty("sendMessage");
        Assert.Equal(21, send.GetProperty("calls").GetInt64());
        Assert.Equal(1, send.GetProperty("rateLimited").GetInt64());
        Assert.True(JsonDocument.Parse(await api.GetStringAsync("/bots/echo")).RootElement.GetProperty("behindGateway").GetBoolean());

        var text = await api.GetStringAsync("/metrics");
        var metrics = Prometheus.Parse(text);
        Assert.Equal(21, metrics.Value("botvisor_gateway_calls_total", ("bot_id", "echo"), ("method", "sendMessage")));
        Assert.Equal(1, metrics.Value("botvisor_gateway_rate_limited_total", ("bot_id", "echo"), ("method", "sendMessage")));
        Assert.Equal(1, metrics.Value("botvisor_gateway_errors_total", ("bot_id", "echo"), ("method", "sendMessage")));
        Assert.Equal(1, metrics.Value("botvisor_gateway_workers", ("bot_id", "echo")));
        Assert.DoesNotContain(token[(token.IndexOf(':', StringComparison.Ordinal) + 1)..], text, StringComparison.Ordinal);
        Assert.DoesNotContain(placeholder[(placeholder.IndexOf(':', StringComparison.Ordinal) + 1)..], text, StringComparison.Ordinal);
        GatewayAssertions.NoTokenIn(token, fleet.StateDir, daemon);
    }

    [Fact]
    public async Task Reload_ThatRenamesABot_EndsTheOldIdsRunAtOnce_SoItsTokenIsNeverPolledTwice_AndNothingOfTheOldIdStays()
    {
        // The old id's worker ignores SIGTERM: it lives on (and polls) for its stop_timeout while the new id starts.
        const string stubborn = "[\"sh\", \"-c\", \"trap '' TERM; exec sleep 1000\"]";
        await using var run = await StartAsync("renamed_gateway_bot", stubborn, extra: "    stop_timeout: 30s");
        var (token, fleet, daemon) = (run.Token, run.Fleet, run.Daemon);
        var (old, gateway) = Worker(run.Pid);
        using var _ = gateway;
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync($"/bot{old}/getMe")).StatusCode);
        var oldPoll = gateway.GetAsync($"/bot{old}/getUpdates?timeout=50");
        await WaitForPollAsync(token);

        int mark = daemon.Mark;
        var renamed = Fleet(token, Sleeper).Replace("  echo:", "  renamed:", StringComparison.Ordinal);
        File.WriteAllText(fleet.ConfigPath, renamed);
        daemon.Signal("HUP");
        int pid = await daemon.WaitForRunningAsync("renamed", after: mark);
        Assert.True(Processes.IsAlive(run.Pid)); // the old id's worker is still stopping

        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.GetAsync($"/bot{old}/getMe")).StatusCode);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => oldPoll); // its poll was ended when the new id's run was issued
        var (current, _) = Worker(pid);
        using var poll = await gateway.GetAsync($"/bot{current}/getUpdates?timeout=0");
        Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
        Assert.Equal(0, (await _emu.StatsAsync(token))["conflicts"]!.GetValue<int>());
        Processes.Kill(run.Pid); // rather than wait out its stop_timeout

        // Renamed back: the id comes back with none of its former counters (the gateway forgot it when it left).
        mark = daemon.Mark;
        File.WriteAllText(fleet.ConfigPath, Fleet(token, Sleeper));
        daemon.Signal("HUP");
        await daemon.WaitForRunningAsync("echo", after: mark);
        using var api = await daemon.HttpAsync();
        var methods = JsonDocument.Parse(await api.GetStringAsync("/bots/echo")).RootElement.GetProperty("gateway").GetProperty("methods");
        Assert.False(methods.TryGetProperty("getMe", out var kept), $"{kept}: {methods}");
    }

    private async Task WaitForPollAsync(string token)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Event);
        while (!(await _emu.StatsAsync(token))["polling"]!.GetValue<bool>())
        {
            await Task.Delay(20, cts.Token);
        }
    }
}
