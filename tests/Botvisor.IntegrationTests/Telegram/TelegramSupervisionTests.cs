using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Botvisor.IntegrationTests.Api;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.Telegram;

/// <summary>The daemon with real bots against the Bot API emulator: token checks, webhooks, conflicts, restarts.</summary>
[Collection(Daemon.DaemonCollection.Name)]
public class TelegramSupervisionTests : IAsyncLifetime
{
    private const int StateChanged = 200;
    private const int WorkerStarted = 201;
    private const int PollingConflict = 210;

    private EmulatorHost _emu = null!;

    public async ValueTask InitializeAsync() => _emu = await EmulatorHost.StartAsync();

    public ValueTask DisposeAsync() => _emu.DisposeAsync();

    private static string Samples => Path.Combine(OpenApiBaselineTests.RepositoryRoot(), "samples", "bots");
    private static string SystemPython => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    private TempFleet Fleet(string token, string command, string telegram = "", string extra = "") => new TempFleet().Write($$"""
        defaults:
          restart: always
          max_restarts: 100
          backoff: { initial: 100ms, max: 300ms, jitter: 0 }
          stop_timeout: 5s
        bots:
          echo:
            command: {{command}}
            token: "{{token}}"
            telegram: { api_base_url: "{{_emu.BaseUrl}}"{{telegram}} }
        {{extra}}
        """);

    private static string Stdlib => $"[\"python3\", \"-u\", \"{Path.Combine(Samples, "python-stdlib", "echo_bot.py")}\"]";

    [Fact]
    public async Task PtbBot_AnswersUnderBotvisor_AndAfterTwentyKillsNoUpdateIsLostAndNo409WasGiven()
    {
        var token = await _emu.RegisterAsync("ptb_echo_bot");
        using var fleet = Fleet(token, $"[\"{SystemPython}\", \"{Path.Combine(Samples, "python-telegram-bot", "echo_ptb.py")}\"]");
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        int pid = await daemon.WaitForRunningAsync("echo");

        Assert.Equal("echo: hello", (await _emu.SendAndWaitForReplyAsync(token, "hello", 60))["text"]!.GetValue<string>());

        for (int i = 0; i < 20; i++)
        {
            // Kill it while it is in a long poll, then write to it while it is down.
            await WaitForAnotherPollAsync(token);
            int mark = daemon.Mark;
            Processes.Kill(pid);
            var reply = await _emu.SendAndWaitForReplyAsync(token, $"while down {i}", 60);
            Assert.Equal($"echo: while down {i}", reply["text"]!.GetValue<string>());
            pid = await daemon.WaitForRunningAsync("echo", after: mark);
        }

        var stats = await _emu.StatsAsync(token);
        Assert.Equal(0, stats["conflicts"]!.GetValue<int>());
        using var http = await daemon.HttpAsync();
        var status = JsonDocument.Parse(await http.GetStringAsync("/bots/echo")).RootElement;
        Assert.Equal("@ptb_echo_bot", status.GetProperty("username").GetString());
        Assert.Equal(20, status.GetProperty("restarts").GetInt32());
    }

    [Fact]
    public async Task RevokedToken_EndsInFailed_WithoutStartingTheWorker()
    {
        var token = await _emu.RegisterAsync("revoked_bot");
        await _emu.RevokeAsync(token);
        using var fleet = Fleet(token, Stdlib);
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);

        var failed = await daemon.WaitForAsync(StateChanged, e => e.Message.StartsWith("Bot echo: failed", StringComparison.Ordinal));
        Assert.Contains("token rejected by Telegram (401 Unauthorized)", failed.Message);
        Assert.DoesNotContain(daemon.Entries, e => e.EventId == WorkerStarted);
        Assert.DoesNotContain(daemon.Entries, e => e.Message.StartsWith("Bot echo: backoff", StringComparison.Ordinal));
        Assert.Equal(0, (await _emu.StatsAsync(token))["get_updates"]!.GetValue<int>());
    }

    [Fact]
    public async Task TokenRevokedWhileRunning_StopsTheWorker_AndFails()
    {
        var token = await _emu.RegisterAsync("soon_revoked_bot");
        using var fleet = Fleet(token, Stdlib, ", check_interval: 300ms");
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        int pid = await daemon.WaitForRunningAsync("echo");
        await WaitForAnotherPollAsync(token); // the bot is past its own getMe and polling

        await _emu.RevokeAsync(token);

        var failed = await daemon.WaitForAsync(StateChanged, e => e.Message.StartsWith("Bot echo: failed", StringComparison.Ordinal));
        Assert.True(failed.Message.Contains("token rejected by Telegram while running", StringComparison.Ordinal), string.Join("\n", daemon.Entries.Select(e => e.Message)));
        Assert.False(Processes.IsAlive(pid));
    }

    [Fact]
    public async Task ClearWebhook_LetsABotWithAStaleWebhookPoll()
    {
        var token = await _emu.RegisterAsync("webhook_bot");
        (await _emu.Http.GetAsync($"/bot{token}/setWebhook?url=https://example.org/stale")).EnsureSuccessStatusCode();
        using var fleet = Fleet(token, Stdlib, ", clear_webhook: true");
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await daemon.WaitForRunningAsync("echo");

        Assert.Equal("echo: hi", (await _emu.SendAndWaitForReplyAsync(token, "hi", 60))["text"]!.GetValue<string>());
        var info = await _emu.Http.GetFromJsonAsync<JsonObject>($"/bot{token}/getWebhookInfo");
        Assert.Equal("", info!["result"]!["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task SecondPollerStartedOutsideBotvisor_IsReported()
    {
        var token = await _emu.RegisterAsync("contested_bot");
        using var fleet = Fleet(token, Stdlib);
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await daemon.WaitForRunningAsync("echo");
        await WaitForAnotherPollAsync(token);

        var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-u");
        psi.ArgumentList.Add(Path.Combine(Samples, "python-stdlib", "echo_bot.py"));
        psi.Environment["BOT_TOKEN"] = token;
        psi.Environment["TELEGRAM_API_BASE_URL"] = _emu.BaseUrl;
        using var outsider = Process.Start(psi)!;
        try
        {
            var reported = await daemon.WaitForAsync(PollingConflict);
            Assert.Contains("another instance is polling this token", reported.Message);
            using var http = await daemon.HttpAsync();
            var bot = JsonDocument.Parse(await http.GetStringAsync("/bots/echo")).RootElement;
            Assert.True(bot.GetProperty("conflicts").GetInt32() >= 1);
            var events = await ApiTests.ReadEventsAsync(http, "/events?follow=false&tail=1000");
            Assert.Contains(events, e => e.GetProperty("kind").GetString() == "health" && e.GetProperty("message").GetString()!.Contains("another instance", StringComparison.Ordinal));
            var metrics = Prometheus.Parse(await http.GetStringAsync("/metrics"));
            Assert.True(metrics.Value("botvisor_bot_conflicts_total", ("bot_id", "echo")) >= 1);
        }
        finally
        {
            outsider.Kill(entireProcessTree: true);
            await outsider.WaitForExitAsync();
        }
    }

    /// <summary>The token gate waits (state "waiting", with the reason) with its own backoff: no restart budget is spent.</summary>
    [Fact]
    public async Task UnreachableBotApi_IsRetriedWithBackoff_AndNeverFails()
    {
        using var fleet = new TempFleet().Write($$"""
            bots:
              echo:
                command: {{Stdlib}}
                token: "123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                max_restarts: 1
                backoff: { initial: 50ms, max: 100ms }
                telegram: { api_base_url: "http://127.0.0.1:1" }
            """);
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        for (int seen = 0, after = 0; seen < 4; seen++)
        {
            var backoff = await daemon.WaitForAsync(StateChanged, e => e.Message.StartsWith("Bot echo: waiting", StringComparison.Ordinal), after);
            Assert.Contains("cannot check the token with the Bot API at http://127.0.0.1:1", backoff.Message);
            after = daemon.Entries.ToList().IndexOf(backoff) + 1;
        }
        Assert.DoesNotContain(daemon.Entries, e => e.Message.StartsWith("Bot echo: failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RetryAfter_IsHonouredBeforeStarting()
    {
        var token = await _emu.RegisterAsync("flooded_bot");
        (await _emu.Http.PostAsJsonAsync($"/_emulator/bots/{token}/flood", new JsonObject { ["retry_after"] = 2 })).EnsureSuccessStatusCode();
        using var fleet = Fleet(token, Stdlib);
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);

        await daemon.WaitForRunningAsync("echo");
        Assert.DoesNotContain(daemon.Entries, e => e.Message.StartsWith("Bot echo: backoff", StringComparison.Ordinal) || e.Message.StartsWith("Bot echo: failed", StringComparison.Ordinal));
        Assert.Equal("echo: after the flood", (await _emu.SendAndWaitForReplyAsync(token, "after the flood", 60))["text"]!.GetValue<string>());
    }

    /// <summary>Waits until a live client holds a long poll on the token.</summary>
    private async Task WaitForAnotherPollAsync(string token)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Event);
        while (!(await _emu.StatsAsync(token))["polling"]!.GetValue<bool>())
        {
            await Task.Delay(20, cts.Token);
        }
    }
}
