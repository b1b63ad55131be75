using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.AdminBot;

/// <summary>Alerts from a real daemon to the admin bot's chats (through the emulator) and to a webhook receiver.</summary>
[Collection(Daemon.DaemonCollection.Name)]
public class AlertTests : AdminBotTestBase
{
    private TempFleet Fleet(string adminToken, string chats, string alerts, string bots, string wait = "1s") =>
        Fleet(adminToken, bots, users: $"{Operator}", chats: chats, alerts: alerts, wait: wait);

    private static bool IsAlert(JsonObject m) => AdminBotDriver.Text(m) is var t && (t.StartsWith("🔴", StringComparison.Ordinal) || t.StartsWith("✅", StringComparison.Ordinal) || t.StartsWith("🟠", StringComparison.Ordinal));

    [Fact]
    public async Task CrashingBot_YieldsOneAlertAndOneRecovery_ToTheChatAndToAWebhookThatFailsAtFirst_AndTheAdminBotAnswersWhileItIsDown()
    {
        var token = await Emulator.RegisterAsync("fleet_admin_bot");
        await using var hook = await WebhookReceiver.StartAsync(failFirst: 2);
        using var fleet = Fleet(token, $"{Operator}", $"""
              webhooks:
                - url: "{hook.Url}"
                  headers: {"{"} Authorization: "Bearer hook-secret" {"}"}
            """, """
              crashy:
                command: [sh, -c, "if [ -e fail ]; then echo crashing; exit 3; fi; exec sleep 1000"]
                cwd: .
                max_restarts: 2
            """);
        File.WriteAllText(Path.Combine(fleet.Directory, "fail"), "");
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        var admin = new AdminBotDriver(Emulator, token);

        var alert = await admin.WaitForMessageAsync(Operator, IsAlert, "alert");
        Assert.StartsWith("🔴 crashy failed: gave up after 2 restarts", AdminBotDriver.Text(alert), StringComparison.Ordinal);

        // Every worker is down; the admin bot answers.
        var status = AdminBotDriver.Text(await admin.AskAsync(Operator, "/status"));
        Assert.Contains("1 failed", status, StringComparison.Ordinal);
        Assert.Contains("crashy failed: gave up", status, StringComparison.Ordinal);

        // The webhook answered 500 twice; the third attempt was taken.
        using (var cts = new CancellationTokenSource(TestTimeouts.Event))
        {
            while (!hook.Requests.Any(r => r.Status == 200)) await Task.Delay(100, cts.Token);
        }
        var requests = hook.Requests;
        Assert.Equal([500, 500, 200], requests.Take(3).Select(r => r.Status));
        Assert.All(requests, r => Assert.Equal("Bearer hook-secret", r.Authorization));
        var payload = requests[2].Body;
        Assert.Equal(1, payload["version"]!.GetValue<int>());
        Assert.Equal("crashy failed", payload["summary"]!.GetValue<string>());
        var item = payload["alerts"]![0]!;
        Assert.Equal(("firing", "bot_failed", "bot", "crashy"), (item["status"]!.GetValue<string>(), item["kind"]!.GetValue<string>(), item["subject_type"]!.GetValue<string>(), item["subject"]!.GetValue<string>()));
        Assert.True(item["event_id"]!.GetValue<long>() > 0);

        // Fixed and started again: one recovery, to both.
        File.Delete(Path.Combine(fleet.Directory, "fail"));
        Assert.Contains("start done, now running", AdminBotDriver.Text(await admin.AskAsync(Operator, "/start crashy")), StringComparison.Ordinal);
        var recovery = await admin.WaitForMessageAsync(Operator, m => AdminBotDriver.Text(m).StartsWith("✅", StringComparison.Ordinal), "recovery");
        Assert.StartsWith("✅ crashy recovered after", AdminBotDriver.Text(recovery), StringComparison.Ordinal);
        using (var cts = new CancellationTokenSource(TestTimeouts.Event))
        {
            while (!hook.Requests.Any(r => r.Body["alerts"]![0]!["status"]!.GetValue<string>() == "resolved")) await Task.Delay(100, cts.Token);
        }

        await Task.Delay(TimeSpan.FromSeconds(3)); // longer than wait + group: anything else would have been sent
        Assert.Equal(2, (await admin.ChatAsync(Operator)).OfType<JsonObject>().Count(IsAlert));
        Assert.Equal(2, hook.Requests.Count(r => r.Status == 200));
        var events = await AdminBotTests.EventsAsync(daemon);
        Assert.Contains("alert sent to 1 chat(s), webhook http://127.0.0.1:", events, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-path", events + string.Join('\n', daemon.Entries.Select(e => e.Message)), StringComparison.Ordinal);
        Assert.DoesNotContain("hook-secret", events + string.Join('\n', daemon.Entries.Select(e => e.Message)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TodaysProducers_RaiseTheirAlerts_TokenRejectedRestartStormUnhealthyConflictMemoryKill()
    {
        var token = await Emulator.RegisterAsync("fleet_admin_bot");
        var revoked = await Emulator.RegisterAsync("revoked_bot");
        await Emulator.RevokeAsync(revoked);
        using var fleet = Fleet(token, $"{Operator}", """
              unhealthy_after: 2s
              restart_storm: { restarts: 3, within: 1m }
              digest_after: 10
            """, $$"""
              revoked:
                command: [sleep, "1000"]
                token: "{{revoked}}"
                telegram: { api_base_url: "{{Emulator.BaseUrl}}" }
              stormy:
                command: [sh, -c, "sleep 0.3; exit 1"]
                max_restarts: 100
              sick:
                command: [sleep, "1000"]
                health: { http: "http://127.0.0.1:9/healthz", interval: 300ms, timeout: 200ms, failures: 1000 }
              copied:
                command: [sh, -c, "echo 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'; exec sleep 1000"]
              hungry:
                command: [python3, -c, "import time; x = bytearray(300 * 1024 * 1024); time.sleep(1000)"]
                memory_max: 50MiB
                max_restarts: 100
            """);
        File.WriteAllText(fleet.ConfigPath, "sample_interval: 500ms\n" + File.ReadAllText(fleet.ConfigPath));
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        var admin = new AdminBotDriver(Emulator, token);

        string[] expected =
        [
            "🔴 revoked has a token Telegram rejects: token rejected by Telegram",
            "🔴 stormy is in a restart storm",
            "🔴 sick is unhealthy: unhealthy for",
            "🔴 copied has another instance polling its token (409 Conflict)",
            "🔴 hungry was killed at its memory limit: memory limit 50 MiB exceeded",
        ];
        foreach (var line in expected)
        {
            await admin.WaitForMessageAsync(Operator, m => AdminBotDriver.Text(m).Split('\n').Any(l => l.StartsWith(line, StringComparison.Ordinal)), line);
        }
    }

    [Fact]
    public async Task FiftyBotsFailingAtOnce_YieldOneDigest()
    {
        var token = await Emulator.RegisterAsync("fleet_admin_bot");
        var bots = string.Join('\n', Enumerable.Range(0, 50).Select(i => $"  bot-{i:00}: {{ command: [sh, -c, \"exit 1\"], restart: never }}"));
        using var fleet = Fleet(token, $"{Operator}", "", bots, wait: "3s");
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        var admin = new AdminBotDriver(Emulator, token);

        var digest = AdminBotDriver.Text(await admin.WaitForMessageAsync(Operator, IsAlert, "digest"));
        Assert.StartsWith("🔴 50 bots failed in ", digest, StringComparison.Ordinal);
        Assert.Contains("bot-00, bot-01", digest, StringComparison.Ordinal);
        Assert.Contains("and 30 more", digest, StringComparison.Ordinal);
        Assert.Contains("50× worker exited with code 1 (restart: never)", digest, StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Single((await admin.ChatAsync(Operator)).OfType<JsonObject>(), IsAlert);
    }

    [Fact]
    public async Task TelegramLimits_BlockedChatIsReportedOnce_MigratedGroupIsFollowed_RetryAfterIsHonoured()
    {
        const long Blocked = 555555;
        const long Group = -100;
        const long Supergroup = -1001000000001;
        var token = await Emulator.RegisterAsync("fleet_admin_bot");
        (await Emulator.Http.PostAsync($"/_emulator/bots/{token}/chats/{Blocked}/block", null)).EnsureSuccessStatusCode();
        (await Emulator.Http.PostAsJsonAsync($"/_emulator/bots/{token}/chats/{Group}/migrate", new JsonObject { ["to"] = Supergroup })).EnsureSuccessStatusCode();
        using var fleet = Fleet(token, $"{Operator}, {Group}, {Blocked}", "", """
              first: { command: [sh, -c, "exit 1"], restart: never }
              second: { command: [sh, -c, "exit 2"], restart: never, autostart: false }
            """);
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        var admin = new AdminBotDriver(Emulator, token);

        await admin.WaitForMessageAsync(Supergroup, m => AdminBotDriver.Text(m).StartsWith("🔴 first failed", StringComparison.Ordinal), "the first alert in the supergroup");
        await admin.WaitForMessageAsync(Operator, m => AdminBotDriver.Text(m).StartsWith("🔴 first failed", StringComparison.Ordinal), "the first alert");

        // Telegram asks the bot to wait: the command still gets its answer, after the wait.
        (await Emulator.Http.PostAsJsonAsync($"/_emulator/bots/{token}/flood", new JsonObject { ["retry_after"] = 2 })).EnsureSuccessStatusCode();
        await admin.SayAsync(Operator, "/start second");
        await admin.WaitForMessageAsync(Operator, m => AdminBotDriver.Text(m).StartsWith("second: start done", StringComparison.Ordinal), "the answer to /start");
        await admin.WaitForMessageAsync(Supergroup, m => AdminBotDriver.Text(m).StartsWith("🔴 second failed", StringComparison.Ordinal), "the second alert in the supergroup");

        Assert.Empty(await admin.ChatAsync(Blocked));
        Assert.Empty(await admin.ChatAsync(Group));
        var events = await AdminBotTests.EventsAsync(daemon);
        Assert.Single(events.Split('\n'), e => e.Contains($"chat {Blocked} cannot be written to (403 Forbidden: bot was blocked by the user)", StringComparison.Ordinal));
        Assert.Single(events.Split('\n'), e => e.Contains($"chat {Group} became the supergroup {Supergroup}", StringComparison.Ordinal));
    }
}
