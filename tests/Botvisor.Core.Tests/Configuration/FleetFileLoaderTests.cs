using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;

namespace Botvisor.Core.Tests.Configuration;

public class FleetFileLoaderTests
{
    private static FleetLoadResult Parse(string yaml, Dictionary<string, string>? env = null) =>
        FleetFileLoader.Parse(yaml, "/fleet/botvisor.yaml", "/fleet", name => env?.GetValueOrDefault(name));

    [Fact]
    public void Parse_FullExample_ReadsEveryField()
    {
        var result = Parse("""
            defaults:
              restart: always
              backoff: { initial: 500ms, multiplier: 3, max: 2m, jitter: 0.1 }
              max_restarts: 4
              min_uptime: 1m
              stop_signal: SIGINT
              stop_timeout: 3s
            bots:
              echo:
                command: ["python3", "echo.py"]
                cwd: bots
                token: ${ECHO_BOT_TOKEN}
                env: { LOG_LEVEL: info }
                autostart: false
                depends_on: [db]
              db:
                command: sleep 100
            """, new() { ["ECHO_BOT_TOKEN"] = "123456:ABCdef" });

        Assert.Empty(result.Errors);
        var fleet = result.Fleet!;
        Assert.Equal(RestartPolicy.Always, fleet.Defaults.Restart);
        Assert.Equal(TimeSpan.FromMilliseconds(500), fleet.Defaults.Backoff!.Initial);
        Assert.Equal(3, fleet.Defaults.Backoff.Multiplier);
        Assert.Equal(4, fleet.Defaults.MaxRestarts);
        var echo = fleet.Bots.Single(b => b.Id == "echo");
        Assert.Equal(["python3", "echo.py"], echo.Command);
        Assert.Equal("123456:ABCdef", echo.Token!.Reveal());
        Assert.Equal("123456:****", echo.Token.ToString());
        Assert.Equal("info", echo.Env!["LOG_LEVEL"]);
        Assert.False(echo.Autostart);
        Assert.Equal(["db"], echo.DependsOn);
        Assert.Equal(["sleep", "100"], fleet.Bots.Single(b => b.Id == "db").Command);

        var spec = BotSpecResolver.Resolve(echo, fleet.Defaults, fleet.BaseDirectory, "file");
        Assert.Equal("/fleet/bots", spec.WorkingDirectory);
        Assert.Equal(Signals.SIGINT, spec.StopSignal);
        Assert.Equal(TimeSpan.FromSeconds(3), spec.StopTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), spec.Backoff.Max);
    }

    [Fact]
    public void Parse_UnknownKey_SuggestsTheClosestKnownOne()
    {
        var result = Parse("""
            bots:
              echo:
                command: sleep 1
                restrat: always
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal("bots.echo.restrat", error.Path);
        Assert.Equal(new SourceLocation(4, 5), error.Location);
        Assert.Contains("did you mean 'restart'?", error.Message);
    }

    [Fact]
    public void Parse_SeveralProblems_ReportsAllWithLineAndColumn()
    {
        var result = Parse("""
            defaults:
              stop_timeout: 10 seconds
            bots:
              echo:
                command: sleep 1
                restart: sometimes
                max_restarts: -1
                token: ${MISSING_TOKEN}
            """);

        Assert.Equal(4, result.Errors.Count);
        var timeout = result.Errors.Single(e => e.Path == "defaults.stop_timeout");
        Assert.Equal(new SourceLocation(2, 17), timeout.Location);
        Assert.Equal("10 seconds", timeout.Value);
        var restart = result.Errors.Single(e => e.Path == "bots.echo.restart");
        Assert.Equal(6, restart.Location!.Value.Line);
        Assert.Contains("always, on-failure, never", restart.Message);
        Assert.Contains(result.Errors, e => e.Path == "bots.echo.max_restarts" && e.Value == "-1");
        var token = result.Errors.Single(e => e.Path == "bots.echo.token");
        Assert.Contains("MISSING_TOKEN is not defined", token.Message);
        Assert.StartsWith("/fleet/botvisor.yaml:8:", token.ToString());
    }

    [Fact]
    public void Parse_InvalidYaml_ReportsTheLocation()
    {
        var result = Parse("bots:\n  echo: [unclosed\n");
        var error = Assert.Single(result.Errors);
        Assert.Null(result.Fleet);
        Assert.Contains("not valid YAML", error.Message);
        Assert.NotNull(error.Location);
    }

    [Fact]
    public void Parse_EnvFile_ProvidesVariablesAndTheEnvironmentWins()
    {
        var dir = Directory.CreateTempSubdirectory("botvisor-test-").FullName;
        File.WriteAllText(Path.Combine(dir, "secrets.env"), "# tokens\nexport A_TOKEN=\"1:aaa\"\nB_TOKEN=2:bbb\n");
        var result = FleetFileLoader.Parse("""
            env_file: secrets.env
            bots:
              a: { command: sleep 1, token: "${A_TOKEN}" }
              b: { command: sleep 1, token: "${B_TOKEN}" }
            """, Path.Combine(dir, "botvisor.yaml"), dir, name => name == "B_TOKEN" ? "3:ccc" : null);

        Assert.Empty(result.Errors);
        Assert.Equal("1:aaa", result.Fleet!.Bots[0].Token!.Reveal());
        Assert.Equal("3:ccc", result.Fleet.Bots[1].Token!.Reveal());
    }

    [Fact]
    public void Parse_DefaultValueSyntax_UsesTheFallback()
    {
        var result = Parse("bots:\n  a:\n    command: sleep 1\n    env: { LEVEL: \"${LEVEL:-debug}\", COST: \"$$5\" }\n");
        Assert.Empty(result.Errors);
        Assert.Equal("debug", result.Fleet!.Bots[0].Env!["LEVEL"]);
        Assert.Equal("$5", result.Fleet.Bots[0].Env!["COST"]);
    }

    [Fact]
    public void Parse_ShellOperatorInCommandString_IsAnError()
    {
        var result = Parse("bots:\n  a:\n    command: python3 bot.py | tee out.log\n");
        var error = Assert.Single(result.Errors);
        Assert.Equal("bots.a.command", error.Path);
        Assert.Contains("[\"sh\", \"-c\"", error.Message);
    }

    [Fact]
    public void Parse_EmptyFile_IsAnEmptyFleet()
    {
        var result = Parse("");
        Assert.Empty(result.Errors);
        Assert.Empty(result.Fleet!.Bots);
    }

    /// <summary>
    /// <c>defaults:</c> and a bot share one options record: every option written under <c>defaults:</c>
    /// resolves to the same bot as the same option written on the bot, and the bot's own value wins
    /// key by key (backoff, logs, telegram included).
    /// </summary>
    [Fact]
    public void Options_InDefaultsOrOnTheBot_ResolveTheSame_AndTheBotsWinKeyByKey()
    {
        const string options = """
            restart: always
            backoff: { initial: 2s, multiplier: 3, max: 2m, jitter: 0.1 }
            max_restarts: 7
            min_uptime: 1m
            stop_signal: SIGINT
            stop_timeout: 3s
            inherit_env: false
            logs: { max_size: 1MiB, max_files: 2 }
            telegram: { api_base_url: "http://127.0.0.1:1", validate: false, check_interval: 1m, clear_webhook: true }
            ready: notify
            start_timeout: 9s
            watchdog: 4s
            memory_max: 64MiB
            cpu_max: 0.5
            user: "0"
            group: "0"
            gateway: true
            liveness: { max_poll_gap: 2m }
            """;
        string Indent(string text, int by) => string.Join("\n", text.Split('\n').Select(l => new string(' ', by) + l));
        const string token = "    token: \"123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq\"\n";
        var inDefaults = Parse($"defaults:\n{Indent(options, 2)}\nbots:\n  b:\n    command: [\"sleep\", \"1\"]\n{token}");
        var onTheBot = Parse($"bots:\n  b:\n    command: [\"sleep\", \"1\"]\n{token}{Indent(options, 4)}\n");
        Assert.Empty(inDefaults.Errors);
        Assert.Empty(onTheBot.Errors);
        var a = BotSpecResolver.ResolveAll(inDefaults.Fleet!, "f").Single();
        var b = BotSpecResolver.ResolveAll(onTheBot.Fleet!, "f").Single();
        Assert.Equal(a, b);
        Assert.True(a.Gateway);
        Assert.Equal(TimeSpan.FromMinutes(2), a.MaxPollGap);
        Assert.Equal(18, FleetKeys.Options.Length); // a new option is added to BotOptions, FleetKeys.Options and this test

        var mixed = Parse("""
            defaults:
              backoff: { initial: 2s, multiplier: 3 }
              telegram: { validate: false, check_interval: 1m }
            bots:
              b:
                command: ["sleep", "1"]
                backoff: { initial: 5s }
                telegram: { check_interval: 2m }
            """);
        var spec = BotSpecResolver.ResolveAll(mixed.Fleet!, "f").Single();
        Assert.Equal(TimeSpan.FromSeconds(5), spec.Backoff.Initial);
        Assert.Equal(3, spec.Backoff.Multiplier);
        Assert.False(spec.TelegramValidate);
        Assert.Equal(TimeSpan.FromMinutes(2), spec.TelegramCheckInterval);
    }

    /// <summary>Every duration becomes a timer: one longer than a timer can wait would fault the bot's supervisor.</summary>
    [Fact]
    public void Durations_LongerThan30Days_AreLocatedErrors()
    {
        var result = Parse("bots:\n  a:\n    command: [\"sleep\", \"1\"]\n    start_timeout: 2000h\n    stop_timeout: 720h\n");
        var error = Assert.Single(result.Errors);
        Assert.Equal("bots.a.start_timeout", error.Path);
        Assert.Equal(4, error.Location!.Value.Line);
        Assert.Contains("'2000h' is longer than Botvisor can wait for; use at most 720h", error.Message);
    }
}
