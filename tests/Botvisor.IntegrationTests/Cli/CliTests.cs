using System.Diagnostics;
using System.Text.Json;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.Cli;

/// <summary>The built <c>botvisor</c> CLI against a real daemon: output, --json shape, exit codes.</summary>
[Collection(Daemon.DaemonCollection.Name)]
public class CliTests
{
    private const string Token = "4242424242:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq";
    private const string ApiToken = "cli-test-api-token";

    private static TempFleet Fleet() => new TempFleet().Write($$"""
        defaults:
          telegram: { validate: false }
        bots:
          alpha:
            command: ["sh", "-c", "echo alpha says $BOT_TOKEN; sleep 1000"]
            token: "{{Token}}"
          beta:
            command: ["sh", "-c", "sleep 1000"]
            autostart: false
        """);

    private static DaemonRunner Start(TempFleet fleet) =>
        DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir, new Dictionary<string, string> { ["BOTVISOR_API_TOKEN"] = ApiToken });

    private static async Task<Dictionary<string, string>> Remote(DaemonRunner daemon) => new()
    {
        ["BOTVISOR_URL"] = (await daemon.ApiAddressAsync()).ToString(),
        ["BOTVISOR_TOKEN"] = ApiToken,
    };

    [Fact]
    public async Task Status_PrintsATable_AndJsonForScripts()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        await daemon.WaitForRunningAsync("alpha");
        var env = await Remote(daemon);

        var (code, stdout, _) = await DaemonRunner.RunCliAsync(env, "status");
        Assert.Equal(0, code);
        Assert.Contains("BOT", stdout);
        var alpha = stdout.Split('\n').Single(l => l.StartsWith("alpha ", StringComparison.Ordinal));
        Assert.Contains("running", alpha);
        Assert.Contains("4242424242:****", alpha);
        Assert.DoesNotContain(Token, stdout);
        Assert.DoesNotContain("\u001b[", stdout); // no colour when not on a terminal

        var (jcode, json, _) = await DaemonRunner.RunCliAsync(env, "status", "--json");
        Assert.Equal(0, jcode);
        var doc = JsonDocument.Parse(json).RootElement;
        Assert.Equal(daemon.Pid, doc.GetProperty("daemon").GetProperty("pid").GetInt32());
        Assert.Equal(2, doc.GetProperty("bots").GetArrayLength());
    }

    [Fact]
    public async Task AddLsRm_ManageAnApiBot_WithMeaningfulExitCodes()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        var env = await Remote(daemon);

        var (add, addOut, addErr) = await DaemonRunner.RunCliAsync(env, "add", "gamma", "--bot-token", "123:gammagammagammagammagammagammagamma", "-e", "A=1", "--", "sh", "-c", "sleep 1000");
        Assert.True(add == 0, addErr);
        Assert.Contains("gamma: added", addOut);
        var (again, _, againErr) = await DaemonRunner.RunCliAsync(env, "add", "gamma", "--", "true");
        Assert.Equal(1, again);
        Assert.Contains("already exists", againErr);

        var (ls, lsJson, _) = await DaemonRunner.RunCliAsync(env, "ls", "--json");
        Assert.Equal(0, ls);
        var gamma = JsonDocument.Parse(lsJson).RootElement.EnumerateArray().Single(b => b.GetProperty("id").GetString() == "gamma");
        Assert.Equal("api", gamma.GetProperty("source").GetString());
        Assert.Equal("123:****", gamma.GetProperty("token").GetString());

        var snippet = Path.Combine(fleet.Directory, "delta.yaml");
        File.WriteAllText(snippet, "command: [sh, -c, 'sleep 1000']\nrestart: always\n");
        var (fromFile, fromFileOut, fromFileErr) = await DaemonRunner.RunCliAsync(env, "add", "delta", "--file", snippet);
        Assert.True(fromFile == 0, fromFileErr);
        Assert.Contains("delta: added", fromFileOut);

        Assert.Equal(0, (await DaemonRunner.RunCliAsync(env, "rm", "gamma")).ExitCode);
        Assert.Equal(4, (await DaemonRunner.RunCliAsync(env, "rm", "gamma")).ExitCode);
        var (rmFile, _, rmFileErr) = await DaemonRunner.RunCliAsync(env, "rm", "alpha");
        Assert.Equal(1, rmFile);
        Assert.Contains("is defined in", rmFileErr);
    }

    [Fact]
    public async Task StartStopRestart_OverTheLocalSocket_NeedNoToken_AndAreAuditedAsTheUnixUser()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        await daemon.ApiAddressAsync();
        var local = new Dictionary<string, string>();
        string[] at = ["--state-dir", fleet.StateDir];

        var (start, startOut, startErr) = await DaemonRunner.RunCliAsync(local, ["start", "beta", .. at]);
        Assert.True(start == 0, startErr);
        Assert.Contains("beta: running (pid ", startOut);
        Assert.Equal(0, (await DaemonRunner.RunCliAsync(local, ["restart", "beta", .. at])).ExitCode);
        var (stop, stopOut, _) = await DaemonRunner.RunCliAsync(local, ["stop", "beta", .. at]);
        Assert.Equal(0, stop);
        Assert.Contains("beta: stopped", stopOut);
        Assert.Equal(4, (await DaemonRunner.RunCliAsync(local, ["start", "nope", .. at])).ExitCode);

        var (status, statusOut, statusErr) = await DaemonRunner.RunCliAsync(local, ["status", .. at]);
        Assert.True(status == 0, statusErr);
        Assert.Contains("stopped", statusOut.Split('\n').Single(l => l.StartsWith("beta ", StringComparison.Ordinal)));
        var (ls, lsOut, _) = await DaemonRunner.RunCliAsync(local, ["ls", .. at]);
        Assert.Equal(0, ls);
        Assert.Matches(@"^BOT +STATE +PID +SOURCE +COMMAND\n", lsOut);

        var (events, eventsOut, _) = await DaemonRunner.RunCliAsync(local, ["events", "-n", "200", .. at]);
        Assert.Equal(0, events);
        Assert.Contains($"[unix:{Environment.UserName}]", eventsOut);
        Assert.Contains("stop beta: now stopped", eventsOut);
    }

    [Fact]
    public async Task Logs_PrintRecentLinesMasked_AndFollowEndsWithCtrlC()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        await daemon.WaitForRunningAsync("alpha");
        var env = await Remote(daemon);

        string stdout = "";
        for (int i = 0; i < 100 && !stdout.Contains("alpha says", StringComparison.Ordinal); i++)
        {
            (_, stdout, _) = await DaemonRunner.RunCliAsync(env, "logs", "alpha", "-n", "5");
            if (!stdout.Contains("alpha says", StringComparison.Ordinal)) await Task.Delay(100);
        }
        Assert.Contains("stdout alpha says 4242424242:****", stdout);

        var psi = DaemonRunner.Command("logs", "alpha", "-f");
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var follow = Process.Start(psi)!;
        var line = await follow.StandardOutput.ReadLineAsync().WaitAsync(TestTimeouts.Event);
        Assert.Contains("alpha says", line);
        using (var kill = Process.Start("kill", ["-s", "INT", follow.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await follow.WaitForExitAsync().WaitAsync(TestTimeouts.Event);
        Assert.Equal(0, follow.ExitCode);
    }

    [Fact]
    public async Task Reload_And_Shutdown_Work()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        var env = await Remote(daemon);

        var (reload, reloadOut, _) = await DaemonRunner.RunCliAsync(env, "reload");
        Assert.Equal(0, reload);
        Assert.Contains("reloaded: 0 added, 0 changed, 0 removed, 2 unchanged", reloadOut);

        File.WriteAllText(fleet.ConfigPath, "bots:\n  alpha:\n    command: sleep 1\n    stop_timeout: forever\n");
        var (bad, _, badErr) = await DaemonRunner.RunCliAsync(env, "reload");
        Assert.Equal(1, bad);
        Assert.Contains("bots.alpha.stop_timeout", badErr);

        var (shutdown, shutdownOut, _) = await DaemonRunner.RunCliAsync(env, "shutdown");
        Assert.Equal(0, shutdown);
        Assert.Contains("shutting down", shutdownOut);
        Assert.Equal(0, await daemon.WaitForExitAsync());
    }

    [Fact]
    public async Task DaemonNotRunning_Exits3_WithAHint()
    {
        var (code, _, stderr) = await DaemonRunner.RunCliAsync(new Dictionary<string, string> { ["BOTVISOR_URL"] = "http://127.0.0.1:1" }, "status");
        Assert.Equal(3, code);
        Assert.Contains("cannot reach the daemon at http://127.0.0.1:1/", stderr);
        Assert.Contains("botvisor run", stderr);
    }

    [Fact]
    public async Task WrongToken_Exits1_UsageError_Exits2()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        var env = await Remote(daemon);
        env["BOTVISOR_TOKEN"] = "wrong";
        var (code, _, stderr) = await DaemonRunner.RunCliAsync(env, "status");
        Assert.Equal(1, code);
        Assert.Contains("bearer token is not valid", stderr);

        Assert.Equal(2, (await DaemonRunner.RunCliAsync("frobnicate")).ExitCode);
        Assert.Equal(2, (await DaemonRunner.RunCliAsync("start")).ExitCode);
    }
}
