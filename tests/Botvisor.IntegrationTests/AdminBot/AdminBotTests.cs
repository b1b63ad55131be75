using System.Text.Json.Nodes;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.AdminBot;

/// <summary>The daemon's own admin bot against the emulator: commands, authorization, audit, confirmation buttons.</summary>
[Collection(Daemon.DaemonCollection.Name)]
public class AdminBotTests : AdminBotTestBase
{
    private const int AdminBotStarted = 800;
    private const long Viewer = 222222;
    private const long Stranger = 333333;
    private static readonly string Roles = $"  roles: {{ {Viewer}: view }}";

    private TempFleet Fleet(string adminToken, string bots, string admin = "") =>
        Fleet(adminToken, bots, users: $"{Operator}, {Viewer}", chats: $"{Operator}", admin: Roles + admin);

    /// <summary>The messages of the event log, one a line.</summary>
    internal static async Task<string> EventsAsync(DaemonRunner daemon)
    {
        using var http = await daemon.HttpAsync();
        var sse = await http.GetStringAsync("/events?follow=false&tail=1000");
        return string.Join('\n', sse.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal))
            .Select(l => JsonNode.Parse(l[6..])!["message"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AllowedUser_RunsEachCommand_ViewerCannotAct_StrangerIsRefusedOnceAndAudited()
    {
        var token = await Emulator.RegisterAsync("fleet_admin_bot");
        // 150 lines of 80 characters: 12,000 characters of output, too long for one message.
        using var fleet = Fleet(token, """
              worker:
                command: [sleep, "1000"]
              printer:
                command: [python3, "-u", "-c", "import time; [print('line %03d ' % i + 'x' * 71) for i in range(150)]; time.sleep(1000)"]
            """);
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await daemon.WaitForRunningAsync("worker");
        await daemon.WaitForAsync(AdminBotStarted);
        var admin = new AdminBotDriver(Emulator, token);

        var menu = await Emulator.Http.GetStringAsync($"/_emulator/bots/{token}/commands");
        Assert.Contains("\"restart\"", menu, StringComparison.Ordinal);

        var status = AdminBotDriver.Text(await admin.AskAsync(Operator, "/status"));
        Assert.StartsWith("2 bots: ", status, StringComparison.Ordinal);

        var bot = AdminBotDriver.Text(await admin.AskAsync(Operator, "/bot worker"));
        Assert.Contains("state: running", bot, StringComparison.Ordinal);
        Assert.Contains("restarts: 0", bot, StringComparison.Ordinal);
        Assert.Contains("There is no bot wokrer. Did you mean worker?", AdminBotDriver.Text(await admin.AskAsync(Operator, "/bot wokrer")), StringComparison.Ordinal);

        // The printer's 12,000 characters come as a file.
        using (var cts = new CancellationTokenSource(TestTimeouts.Event))
        {
            while (!File.Exists(Path.Combine(fleet.StateDir, "logs", "printer.log")) || File.ReadAllLines(Path.Combine(fleet.StateDir, "logs", "printer.log")).Length < 150) await Task.Delay(100, cts.Token);
        }
        var logs = await admin.AskAsync(Operator, "/logs printer 200");
        var document = logs["document"]!.AsObject();
        Assert.Equal("printer.log", document["file_name"]!.GetValue<string>());
        var content = await admin.DownloadAsync(document);
        Assert.True(content.Length > 10_000, $"{content.Length} characters");
        Assert.Contains("line 149 xxx", content, StringComparison.Ordinal);
        Assert.Contains("<pre>", AdminBotDriver.Text(await admin.AskAsync(Operator, "/logs printer 3")) + "<pre>", StringComparison.Ordinal);

        Assert.Contains("Latest events", AdminBotDriver.Text(await admin.AskAsync(Operator, "/events")), StringComparison.Ordinal);
        Assert.Contains("no cluster", AdminBotDriver.Text(await admin.AskAsync(Operator, "/nodes")), StringComparison.Ordinal);
        Assert.Contains("/restart ID", AdminBotDriver.Text(await admin.AskAsync(Operator, "/help")), StringComparison.Ordinal);
        Assert.Contains("start done, now running", AdminBotDriver.Text(await admin.AskAsync(Operator, "/start worker")), StringComparison.Ordinal);
        Assert.Contains("muted for 30m", AdminBotDriver.Text(await admin.AskAsync(Operator, "/mute worker 30m")), StringComparison.Ordinal);
        Assert.Contains("worker for 30m more", AdminBotDriver.Text(await admin.AskAsync(Operator, "/mute")), StringComparison.Ordinal);
        Assert.Contains("unmuted", AdminBotDriver.Text(await admin.AskAsync(Operator, "/unmute worker")), StringComparison.Ordinal);

        // A viewer looks but cannot act.
        Assert.StartsWith("2 bots", AdminBotDriver.Text(await admin.AskAsync(Viewer, "/status")), StringComparison.Ordinal);
        Assert.Contains("Your role is view", AdminBotDriver.Text(await admin.AskAsync(Viewer, "/restart worker")), StringComparison.Ordinal);

        // A stranger gets one polite refusal, whatever they send, and each attempt is audited.
        Assert.Contains("Sorry", AdminBotDriver.Text(await admin.AskAsync(Stranger, "/restart worker")), StringComparison.Ordinal);
        await admin.SayAsync(Stranger, "/stop worker");
        await admin.AskAsync(Operator, "/status"); // handled after the stranger's second message was
        Assert.Single(await admin.ChatAsync(Stranger));

        var events = await EventsAsync(daemon);
        Assert.Contains($"telegram:{Stranger}: admin bot: refused: user {Stranger} is not in admin.users (sent '/restart worker')", events, StringComparison.Ordinal);
        Assert.Contains($"telegram:{Operator}: start worker: now running", events, StringComparison.Ordinal);
        Assert.Contains($"telegram:{Operator}: mute worker for 30m: ok", events, StringComparison.Ordinal);
        Assert.Contains($"telegram:{Viewer}: restart worker: refused: the user's role is view", events, StringComparison.Ordinal);
        Assert.DoesNotContain(token, events, StringComparison.Ordinal);
        Assert.DoesNotContain(token[(token.IndexOf(':', StringComparison.Ordinal) + 1)..], string.Join('\n', daemon.Entries.Select(e => e.Message)), StringComparison.Ordinal);

        daemon.Signal("TERM");
        Assert.Equal(0, await daemon.WaitForExitAsync());
        Assert.DoesNotContain(daemon.Stderr, l => l.Contains("exception", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task AdminToken_IsAFleetSecret_KeptFromWorkersAndMaskedInTheirOutput()
    {
        var token = await Emulator.RegisterAsync("fleet_admin_bot");
        using var fleet = new TempFleet().Write($$"""
            admin:
              token: ${ADMIN_BOT_TOKEN}
              users: [{{Operator}}]
              api_base_url: "{{Emulator.BaseUrl}}"
            bots:
              leaky:
                command: [sh, -c, "echo \"inherited:$ADMIN_BOT_TOKEN.\"; echo \"printed: $SECRET\"; exec sleep 1000"]
                env: { SECRET: "{{token}}" }
            """);
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir, new Dictionary<string, string> { ["ADMIN_BOT_TOKEN"] = token });
        await daemon.WaitForRunningAsync("leaky");
        var log = Path.Combine(fleet.StateDir, "logs", "leaky.log");
        using (var cts = new CancellationTokenSource(TestTimeouts.Event))
        {
            while (!File.Exists(log) || !File.ReadAllText(log).Contains("printed:", StringComparison.Ordinal)) await Task.Delay(100, cts.Token);
        }
        var output = File.ReadAllText(log);
        Assert.Contains("inherited:.", output, StringComparison.Ordinal); // the daemon's ADMIN_BOT_TOKEN is not in the worker's environment
        Assert.Contains($"printed: {token[..token.IndexOf(':', StringComparison.Ordinal)]}:****", output, StringComparison.Ordinal);
        Assert.DoesNotContain(token[(token.IndexOf(':', StringComparison.Ordinal) + 1)..], output, StringComparison.Ordinal);
        using var http = await daemon.HttpAsync();
        Assert.DoesNotContain(token, await http.GetStringAsync("/bots/leaky"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_NeedsTheButton_AndAnExpiredButtonDoesNothing()
    {
        var token = await Emulator.RegisterAsync("fleet_admin_bot");
        using var fleet = Fleet(token, """
              worker: { command: [sleep, "1000"] }
            """, admin: "\n  confirm_for: 5s");
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        int pid = await daemon.WaitForRunningAsync("worker");
        var admin = new AdminBotDriver(Emulator, token);

        var ask = await admin.AskAsync(Operator, "/restart worker");
        Assert.StartsWith("Restart worker (now running)?", AdminBotDriver.Text(ask), StringComparison.Ordinal);
        var buttons = AdminBotDriver.Buttons(ask);
        Assert.Equal(2, buttons.Count);
        Assert.True(Processes.IsAlive(pid), "asking alone restarted the bot");

        // Someone else's press, and a forged button, do nothing.
        Assert.Contains("Only the person who asked", await admin.PressAsync(Viewer, ask, buttons[0]), StringComparison.Ordinal);
        Assert.Contains("no longer works", await admin.PressAsync(Operator, ask, "ok:0123456789abcdef01234567"), StringComparison.Ordinal);
        Assert.True(Processes.IsAlive(pid));

        // A stranger pressing the real button, over and over, is refused every time and audited once.
        for (int i = 0; i < 3; i++) Assert.Contains("Sorry", await admin.PressAsync(Stranger, ask, buttons[0]), StringComparison.Ordinal);
        Assert.True(Processes.IsAlive(pid), "a stranger's press restarted the bot");

        int mark = daemon.Mark;
        Assert.Equal("restart worker…", await admin.PressAsync(Operator, ask, buttons[0]));
        int newPid = await daemon.WaitForRunningAsync("worker", mark);
        Assert.NotEqual(pid, newPid);
        await admin.WaitForMessageAsync(Operator, m => AdminBotDriver.Text(m).StartsWith("worker: restart done, now running", StringComparison.Ordinal), "the edited confirmation");
        Assert.Contains("no longer works", await admin.PressAsync(Operator, ask, buttons[0]), StringComparison.Ordinal); // once only

        var stop = await admin.AskAsync(Operator, "/stop worker");
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.Contains("expired", await admin.PressAsync(Operator, stop, AdminBotDriver.Buttons(stop)[0]), StringComparison.Ordinal);
        Assert.True(Processes.IsAlive(newPid), "an expired button stopped the bot");
        var events = await EventsAsync(daemon);
        Assert.Contains($"telegram:{Operator}: restart worker: now running", events, StringComparison.Ordinal);
        Assert.Contains($"telegram:{Operator}: stop worker: not done: the confirmation button had expired", events, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(events, $"refused: user {Stranger} is not in admin.users \\(pressed a button\\)"));
    }
}
