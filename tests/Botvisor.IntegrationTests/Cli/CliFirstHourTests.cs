using System.Text.Json;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.Cli;

/// <summary>
/// The CLI as a pm2 or systemctl user expects it (issue 14): selectors, per-bot status, --json,
/// errors said once and located, add's outcome, logs without a daemon, init.
/// </summary>
[Collection(Daemon.DaemonCollection.Name)]
public class CliFirstHourTests
{
    private const string Token = "4242424242:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq";

    private static TempFleet Fleet() => new TempFleet().Write($$"""
        defaults:
          telegram: { validate: false }
        bots:
          shop-a:
            command: ["sh", "-c", "echo shop-a says $BOT_TOKEN; exec sleep 1000"]
            token: "{{Token}}"
          shop-b:
            command: ["sleep", "1000"]
          news:
            command: ["sleep", "1000"]
            autostart: false
        """);

    private static async Task<(DaemonRunner Daemon, string[] At)> StartAsync(TempFleet fleet)
    {
        var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await daemon.ApiAddressAsync();
        return (daemon, ["--state-dir", fleet.StateDir]);
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> Cli(params string[] args) => DaemonRunner.RunCliAsync(new Dictionary<string, string>(), args);

    private static string Row(string table, string bot) => table.Split('\n').Single(l => l.StartsWith(bot + " ", StringComparison.Ordinal));

    [Fact]
    public async Task Verbs_TakeSeveralIds_All_Globs_AndStates()
    {
        using var fleet = Fleet();
        var (daemon, at) = await StartAsync(fleet);
        await using var _ = daemon;
        await daemon.WaitForRunningAsync("shop-a");
        await daemon.WaitForRunningAsync("shop-b");

        var (stop, stopOut, stopErr) = await Cli(["stop", "shop-*", .. at]);
        Assert.True(stop == 0, stopErr);
        Assert.Contains("shop-a: stopped", stopOut);
        Assert.Contains("shop-b: stopped", stopOut);
        Assert.DoesNotContain("news", stopOut);

        var (start, startOut, startErr) = await Cli(["start", "--state", "stopped", .. at]);
        Assert.True(start == 0, startErr);
        Assert.Equal(3, startOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.All(startOut.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Contains(": running (pid ", l));

        var (restart, restartJson, restartErr) = await Cli(["restart", "all", "--json", .. at]);
        Assert.True(restart == 0, restartErr);
        var restarted = JsonDocument.Parse(restartJson).RootElement.EnumerateArray().Select(b => b.GetProperty("id").GetString()!).Order().ToArray();
        Assert.Equal(["news", "shop-a", "shop-b"], restarted);

        var (two, twoOut, _) = await Cli(["stop", "news", "shop-b", .. at]);
        Assert.Equal(0, two);
        Assert.Contains("news: stopped", twoOut);
        Assert.Contains("shop-b: stopped", twoOut);

        // A name that matches nothing: exit 4, the closest id suggested, nothing done.
        var (missing, missingOut, missingErr) = await Cli(["restart", "shop-a", "shop-c", .. at]);
        Assert.Equal(4, missing);
        Assert.Equal("", missingOut);
        Assert.Contains("no bot has the id 'shop-c'; did you mean 'shop-a'?", missingErr);
        var (one, _, oneErr) = await Cli(["start", "nwes", .. at]);
        Assert.Equal(4, one);
        Assert.Equal(1, oneErr.Split("no bot has the id").Length - 1);
        Assert.Contains("did you mean 'news'?", oneErr);
        Assert.Equal(4, (await Cli(["stop", "blog-*", .. at])).ExitCode);
        Assert.Equal(2, (await Cli(["restart", .. at])).ExitCode);
        Assert.Equal(2, (await Cli(["restart", "--state", "crashed", .. at])).ExitCode);
        var (none, noneOut, noneErr) = await Cli(["restart", "--state", "failed", .. at]);
        Assert.Equal(0, none); // no bot is failed: nothing to do, and that is not an error
        Assert.Equal("", noneOut);
        Assert.Contains("no bot is failed", noneErr);
    }

    [Fact]
    public async Task StatusId_ShowsOneBotsDetail_AndAStoppedBotHasNoHealth()
    {
        using var fleet = Fleet();
        var (daemon, at) = await StartAsync(fleet);
        await using var _ = daemon;
        var pid = await daemon.WaitForRunningAsync("shop-a");

        var (code, stdout, stderr) = await Cli(["status", "shop-a", .. at]);
        Assert.True(code == 0, stderr);
        Assert.Contains("bot:         shop-a", stdout);
        Assert.Contains($"pid:         {pid}", stdout);
        Assert.Contains("health:      healthy", stdout);
        Assert.Contains("telegram:    4242424242:****", stdout);
        Assert.DoesNotContain("AAHdq", stdout);

        var (jcode, json, _) = await Cli(["status", "shop-a", "news", "--json", .. at]);
        Assert.Equal(0, jcode);
        var bots = JsonDocument.Parse(json).RootElement;
        Assert.Equal(2, bots.GetArrayLength());

        var (table, tableOut, _) = await Cli(["status", .. at]);
        Assert.Equal(0, table);
        Assert.Matches(@"^news +stopped +- +- ", Row(tableOut.Split("\n\n", 2)[1], "news"));
        Assert.DoesNotContain("limits:", tableOut);

        var (news, newsOut, _) = await Cli(["status", "news", .. at]);
        Assert.Equal(0, news);
        Assert.DoesNotContain("health:", newsOut);
        Assert.DoesNotContain("memory:", newsOut);

        var (missing, _, missingErr) = await Cli(["status", "shop", .. at]);
        Assert.Equal(4, missing);
        Assert.Contains("no bot has the id 'shop'", missingErr);
    }

    [Fact]
    public async Task Add_ReportsTheFirstOutcome_RefusesABotTokenAsApiToken_AndLocatesErrorsInTheFile()
    {
        using var fleet = Fleet();
        var (daemon, at) = await StartAsync(fleet);
        await using var _ = daemon;

        var (refused, refusedOut, refusedErr) = await Cli(["add", "weather", "--token", "123:ABC", .. at, "--", "sleep", "1000"]);
        Assert.Equal(2, refused);
        Assert.Equal("", refusedOut);
        Assert.Contains("--bot-token", refusedErr);
        Assert.Equal(4, (await Cli(["status", "weather", .. at])).ExitCode); // nothing was added

        var (running, runningOut, runningErr) = await Cli(["add", "weather", .. at, "--", "sleep", "1000"]);
        Assert.True(running == 0, runningErr);
        Assert.Matches(@"^weather: added; running \(pid \d+\)\n$", runningOut);

        var (again, _, againErr) = await Cli(["add", "weather", .. at, "--", "sleep", "1000"]);
        Assert.Equal(1, again);
        Assert.Contains("botvisor rm weather", againErr);
        Assert.DoesNotContain("PUT", againErr);

        // Telegram unreachable: the bot waits for the Bot API to answer, and add says so when its wait ends.
        var unreachable = Path.Combine(fleet.Directory, "unreachable.yaml");
        File.WriteAllText(unreachable, $"command: [sleep, '1000']\ntoken: '5550001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq'\ntelegram: {{ validate: true, api_base_url: 'http://127.0.0.1:1' }}\n");
        var (waiting, _, waitingErr) = await Cli(["add", "remote", "--file", unreachable, "--wait", "2", .. at]);
        Assert.Equal(1, waiting);
        Assert.Contains("remote: added, but still waiting after 2s", waitingErr);


        var (noWait, noWaitOut, _) = await Cli(["add", "later", "--no-wait", .. at, "--", "sleep", "1000"]);
        Assert.Equal(0, noWait);
        Assert.Contains("later: added (", noWaitOut);

        var snippet = Path.Combine(fleet.Directory, "wf.yaml");
        File.WriteAllText(snippet, "command: [sleep, '1000']\nrestart: sometimes\n\nrestrat: always\n");
        var (invalid, _, invalidErr) = await Cli(["add", "wf", "--file", snippet, .. at]);
        Assert.Equal(1, invalid);
        Assert.Contains($"{snippet}:2:10: bots.wf.restart: unknown restart policy", invalidErr);
        Assert.Contains($"{snippet}:4:1: bots.wf.restrat: unknown key 'restrat'; did you mean 'restart'?", invalidErr);
        Assert.DoesNotContain("request body", invalidErr);
        Assert.Equal(1, invalidErr.Split("unknown restart policy").Length - 1);

        var (badToken, _, badTokenErr) = await Cli(["add", "short", "--bot-token", "12345:short", .. at, "--", "sleep", "1000"]);
        Assert.Equal(1, badToken);
        Assert.Contains("bots.short.token: bot 'short': this is not a Telegram bot token", badTokenErr);
        Assert.DoesNotContain("12345:short", badTokenErr);

        var (rm, rmJson, rmErr) = await Cli(["rm", "*", "--json", .. at]);
        Assert.True(rm == 0, rmErr);
        var removed = JsonDocument.Parse(rmJson).RootElement.EnumerateArray().Select(b => b.GetProperty("id").GetString()!).Order().ToArray();
        Assert.Equal(["later", "remote", "weather"], removed); // a glob never selects the fleet file's bots
    }

    [Fact]
    public async Task Reload_PrintsEachErrorOnce_WithItsFileAndLine()
    {
        using var fleet = Fleet();
        var (daemon, at) = await StartAsync(fleet);
        await using var _ = daemon;
        File.WriteAllText(fleet.ConfigPath, "bots:\n  alpha:\n    command: sleep 1\n    stop_timeout: forever\n");
        var (code, _, stderr) = await Cli(["reload", .. at]);
        Assert.Equal(1, code);
        Assert.Contains($"{fleet.ConfigPath}:4:19: bots.alpha.stop_timeout:", stderr);
        Assert.Equal(1, stderr.Split("stop_timeout").Length - 1);
        Assert.Contains("nothing was changed", stderr);
    }

    [Fact]
    public async Task Logs_AsJsonLines_AndFromTheFilesWhenTheDaemonIsDown()
    {
        using var fleet = Fleet();
        var (daemon, at) = await StartAsync(fleet);
        await using (daemon)
        {
            await daemon.WaitForRunningAsync("shop-a");
            string stdout = "";
            for (int i = 0; i < 100 && !stdout.Contains("shop-a says", StringComparison.Ordinal); i++)
            {
                (_, stdout, _) = await Cli(["logs", "shop-a", "--json", .. at]);
                if (!stdout.Contains("shop-a says", StringComparison.Ordinal)) await Task.Delay(100);
            }
            var line = JsonDocument.Parse(stdout.Split('\n')[0]).RootElement;
            Assert.Equal("stdout", line.GetProperty("stream").GetString());
            Assert.Equal("shop-a says 4242424242:****", line.GetProperty("text").GetString());
            Assert.True(DateTimeOffset.TryParse(line.GetProperty("time").GetString(), out _));

            Assert.Equal(0, (await Cli(["shutdown", .. at])).ExitCode);
            Assert.Equal(0, await daemon.WaitForExitAsync());
        }

        var (code, offline, offlineErr) = await Cli(["logs", "shop-a", "-n", "5", .. at]);
        Assert.True(code == 0, offlineErr);
        Assert.Contains("stdout shop-a says 4242424242:****", offline);
        Assert.Contains("the daemon is not running", offlineErr);

        var (missing, _, missingErr) = await Cli(["logs", "shop-c", .. at]);
        Assert.Equal(4, missing);
        Assert.Contains("did you mean 'shop-a'?", missingErr);
    }

    [Fact]
    public async Task Init_WritesAStarterThatValidates_AndNeverOverwrites_AndRunExplainsAMissingFile()
    {
        using var fleet = new TempFleet();
        var (run, _, runErr) = await Cli("run", "--config", fleet.ConfigPath, "--state-dir", fleet.StateDir);
        Assert.Equal(1, run);
        Assert.Contains($"there is no fleet file at {fleet.ConfigPath}", runErr);
        Assert.Contains("botvisor init", runErr);
        Assert.Contains("samples/", runErr);

        var (init, initOut, initErr) = await Cli("init", fleet.ConfigPath);
        Assert.True(init == 0, initErr);
        Assert.Contains("wrote", initOut);
        var (valid, validOut, validErr) = await Cli("validate", fleet.ConfigPath);
        Assert.True(valid == 0, validErr);
        Assert.Contains("OK, 1 bot(s)", validOut);

        File.AppendAllText(fleet.ConfigPath, "# mine\n");
        var (again, _, againErr) = await Cli("init", fleet.ConfigPath);
        Assert.Equal(1, again);
        Assert.Contains("already exists", againErr);
        Assert.EndsWith("# mine\n", File.ReadAllText(fleet.ConfigPath));
    }

    [Fact]
    public async Task Completion_ForBash_CompletesVerbs_AndTheRunningDaemonsBotIds()
    {
        using var fleet = Fleet();
        var (daemon, at) = await StartAsync(fleet);
        await using var _ = daemon;

        var (code, script, _) = await Cli("completion", "bash");
        Assert.Equal(0, code);
        Assert.Contains("complete -o default -F _botvisor botvisor", script);
        foreach (var shell in new[] { "zsh", "fish" }) Assert.Equal(0, (await Cli("completion", shell)).ExitCode);
        var scriptPath = Path.Combine(fleet.Directory, "botvisor.bash");
        File.WriteAllText(scriptPath, script);

        // The installed binary, as the script calls it: `botvisor` on PATH.
        var bin = Directory.CreateDirectory(Path.Combine(fleet.Directory, "bin")).FullName;
        var wrapper = Path.Combine(bin, "botvisor");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet '{DaemonRunner.BotvisorDll}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        async Task<string> CompleteAsync(string line)
        {
            var words = line.Split(' ');
            var psi = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = fleet.Directory };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add($"source '{scriptPath}'; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; COMP_WORDS=({string.Join(' ', words.Select(w => $"'{w}'"))}); COMP_CWORD={words.Length - 1}; _botvisor; printf '%s\\n' \"${{COMPREPLY[@]}}\"");
            psi.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
            psi.Environment["BOTVISOR_STATE_DIR"] = fleet.StateDir;
            using var bash = System.Diagnostics.Process.Start(psi)!;
            var stdout = await bash.StandardOutput.ReadToEndAsync();
            await bash.WaitForExitAsync().WaitAsync(TestTimeouts.Daemon);
            return stdout;
        }

        Assert.Equal("reload\nrestart\n", await CompleteAsync("botvisor re"));
        Assert.Equal("shop-a\nshop-b\n", await CompleteAsync("botvisor restart shop"));
        Assert.Contains("--follow", await CompleteAsync("botvisor logs --f"));
        var afterVerb = (await CompleteAsync("botvisor stop ")).Split('\n');
        Assert.Contains("shop-a", afterVerb);
        Assert.Contains("--state", afterVerb);
        Assert.DoesNotContain("/?", afterVerb);
    }

    /// <summary>
    /// zsh and fish complete the same way, through their own scripts (tests/run installs both shells):
    /// fish's own completion engine, and zsh's function with compadd standing in for the completion system.
    /// </summary>
    [Fact]
    public async Task Completion_ForZshAndFish_CompletesVerbs_AndTheRunningDaemonsBotIds()
    {
        using var fleet = Fleet();
        var (daemon, _) = await StartAsync(fleet);
        await using var __ = daemon;
        var bin = Directory.CreateDirectory(Path.Combine(fleet.Directory, "bin")).FullName;
        var wrapper = Path.Combine(bin, "botvisor");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet '{DaemonRunner.BotvisorDll}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var zsh = Path.Combine(fleet.Directory, "botvisor.zsh");
        var fish = Path.Combine(fleet.Directory, "botvisor.fish");
        File.WriteAllText(zsh, (await Cli("completion", "zsh")).Stdout);
        File.WriteAllText(fish, (await Cli("completion", "fish")).Stdout);

        async Task<string> RunAsync(string shell, string script)
        {
            var psi = new System.Diagnostics.ProcessStartInfo(shell) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = fleet.Directory };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(script);
            psi.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
            psi.Environment["BOTVISOR_STATE_DIR"] = fleet.StateDir;
            using var process = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException($"{shell} did not start (tests/run installs it)");
            var stdout = await process.StandardOutput.ReadToEndAsync();
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TestTimeouts.Daemon);
            Assert.True(process.ExitCode == 0, $"{shell}: {stderr}");
            return stdout;
        }

        string Zsh(string line) =>
            $"compdef(){{ :; }}; compadd(){{ print -l ${{(P)2}}; }}; source '{zsh}'; BUFFER='{line}'; CURSOR=${{#BUFFER}}; words=({line}); _botvisor";
        string Fish(string line) => $"source '{fish}'; complete -C '{line}'";

        Assert.Equal("reload\nrestart\n", await RunAsync("zsh", Zsh("botvisor re")));
        Assert.Equal("shop-a\nshop-b\n", await RunAsync("zsh", Zsh("botvisor restart shop")));
        Assert.Equal("reload\nrestart\n", await RunAsync("fish", Fish("botvisor re")));
        Assert.Equal("shop-a\nshop-b\n", await RunAsync("fish", Fish("botvisor restart shop")));
    }

    [Fact]
    public async Task Version_NamesTheVersionAndTheCommit()
    {
        var (code, stdout, _) = await Cli("--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^botvisor \d+\.\d+\.\d+ \(commit [0-9a-f]{7,40}, linux-", stdout);
    }
}
