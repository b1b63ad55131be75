using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.Api;

/// <summary>The HTTP API of a real daemon on a loopback port.</summary>
[Collection(Daemon.DaemonCollection.Name)]
public class ApiTests
{
    private const string Token = "4242424242:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq";
    private const string ApiToken = "test-api-token-0123456789";

    private static TempFleet Fleet() => new TempFleet().Write($$"""
        defaults:
          stop_timeout: 5s
          backoff: { initial: 100ms, max: 200ms }
          telegram: { validate: false }  # these tests are about the API; Telegram is not there
        bots:
          alpha:
            command: ["sh", "-c", "echo alpha says $BOT_TOKEN; sleep 1000"]
            token: "{{Token}}"
          beta:
            command: ["sh", "-c", "sleep 1000"]
            autostart: false
        """);

    private static DaemonRunner Start(TempFleet fleet, bool auth = true) =>
        DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir, auth ? new Dictionary<string, string> { ["BOTVISOR_API_TOKEN"] = ApiToken } : null);

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(Token, text);
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public async Task Auth_MissingOrWrongToken_Is401_RightTokenWorks_HealthIsOpen()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        using var anonymous = await daemon.AnonymousTcpAsync();
        using var wrong = await daemon.HttpAsync("wrong");
        using var right = await daemon.HttpAsync(ApiToken);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
        foreach (var path in new[] { "/status", "/bots", "/bots/alpha", "/metrics", "/schema", "/events?follow=false" })
        {
            var missing = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
            Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
            Assert.Equal(401, (await Json(missing)).GetProperty("status").GetInt32());
            Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync(path)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/bots/alpha/stop", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await right.GetAsync("/status")).StatusCode);
    }

    [Fact]
    public async Task NoToken_ListensOnLoopbackOnly_AndSaysSo()
    {
        using var fleet = Fleet();
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir, listen: "http://0.0.0.0:0");
        var address = await daemon.ApiAddressAsync();
        Assert.Equal("127.0.0.1", address.Host);
        var warning = await daemon.WaitForAsync(114);
        Assert.Contains("loopback only", warning.Message);
        Assert.Contains(daemon.SocketPath, warning.Message);
        using var http = await daemon.HttpAsync();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/status")).StatusCode);
    }

    /// <summary>
    /// The reproduction of issue 13: with no API token, any local user reached the loopback port and
    /// added a bot whose command then ran as the daemon's user (root). TCP without a token now answers
    /// /health alone; the same requests on the local socket (the daemon's user only) still work.
    /// </summary>
    [Fact]
    public async Task NoToken_TcpTakesNoControlRequest_OnlyTheLocalSocketDoes()
    {
        using var fleet = Fleet();
        var proof = Path.Combine(fleet.StateDir, "..", "pwned-" + Guid.NewGuid().ToString("N"));
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        using var tcp = await daemon.AnonymousTcpAsync();

        Assert.Equal(HttpStatusCode.OK, (await tcp.GetAsync("/health")).StatusCode);
        var add = await tcp.PostAsync("/bots", new StringContent(
            $$"""{"id":"pwn","command":["sh","-c","id > {{proof}}"]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, add.StatusCode);
        Assert.Contains("local socket", (await Json(add)).GetProperty("detail").GetString());
        foreach (var path in new[] { "/status", "/bots", "/bots/alpha", "/metrics", "/schema", "/ui", "/events?follow=false", "/bots/alpha/logs" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await tcp.GetAsync(path)).StatusCode);
        }
        foreach (var path in new[] { "/bots/alpha/stop", "/bots/alpha/restart", "/reload", "/shutdown" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await tcp.PostAsync(path, null)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await tcp.DeleteAsync("/bots/alpha")).StatusCode);

        using var local = daemon.UnixHttp();
        var bots = await Json(await local.GetAsync("/bots"));
        Assert.DoesNotContain(bots.EnumerateArray(), b => b.GetProperty("id").GetString() == "pwn");
        Assert.False(File.Exists(proof), "a request without a token ran a command");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(daemon.SocketPath));
    }

    /// <summary>Issue 13: a token written into a bot's command was shown unmasked by ls, status --json and GET /bots/{id}.</summary>
    [Fact]
    public async Task TokenInACommand_IsMaskedWhereverTheDefinitionIsShown()
    {
        const string secret = "ZZHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq";
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        using var http = await daemon.HttpAsync(ApiToken);
        var add = await http.PostAsync("/bots", new StringContent(
            $$"""{"id":"cmdtoken","command":["sleep","1000","--token=555666777:{{secret}}"]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, add.StatusCode);
        await daemon.WaitForRunningAsync("cmdtoken");

        var shown = new List<string>
        {
            await add.Content.ReadAsStringAsync(),
            await http.GetStringAsync("/bots/cmdtoken"),
            await http.GetStringAsync("/bots"),
            await http.GetStringAsync("/status"),
        };
        using var text = new HttpRequestMessage(HttpMethod.Get, "/status");
        text.Headers.Accept.ParseAdd("text/plain");
        shown.Add(await (await http.SendAsync(text)).Content.ReadAsStringAsync());
        shown.AddRange(daemon.Entries.Select(e => e.Message));
        shown.Add(await http.GetStringAsync("/events?follow=false"));
        Assert.All(shown, s => Assert.DoesNotContain(secret, s));
        Assert.Contains("--token=555666777:****", shown[1]);
    }

    [Fact]
    public async Task Status_And_Bots_ShowStateWithMaskedToken()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        await daemon.WaitForRunningAsync("alpha");
        using var http = await daemon.HttpAsync(ApiToken);

        var status = await Json(await http.GetAsync("/status"));
        Assert.Equal(daemon.Pid, status.GetProperty("daemon").GetProperty("pid").GetInt32());
        var bots = status.GetProperty("bots").EnumerateArray().ToDictionary(b => b.GetProperty("id").GetString()!);
        Assert.Equal("running", bots["alpha"].GetProperty("state").GetString());
        Assert.Equal("4242424242:****", bots["alpha"].GetProperty("token").GetString());
        Assert.Equal(fleet.ConfigPath, bots["alpha"].GetProperty("source").GetString());
        Assert.Equal("stopped", bots["beta"].GetProperty("state").GetString());

        var list = await Json(await http.GetAsync("/bots"));
        Assert.Equal(["alpha", "beta"], list.EnumerateArray().Select(b => b.GetProperty("id").GetString()));
        var one = await Json(await http.GetAsync("/bots/alpha"));
        Assert.True(one.GetProperty("pid").GetInt32() > 0);
        var missing = await http.GetAsync("/bots/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("no bot has the id 'nope'", (await Json(missing)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Status_And_Bots_AsPlainText_AreTheCliTables_JsonStaysTheDefault()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        await daemon.WaitForRunningAsync("alpha");
        using var http = await daemon.HttpAsync(ApiToken);

        async Task<(string MediaType, string Body)> Get(string path, string? accept)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(Token, body);
            return (response.Content.Headers.ContentType!.MediaType!, body);
        }

        var (type, status) = await Get("/status", "text/plain");
        Assert.Equal("text/plain", type);
        var lines = status.Split('\n');
        Assert.StartsWith($"botvisor ", lines[0]);
        Assert.Contains($"pid {daemon.Pid}", lines[0]);
        Assert.Contains("2 bot(s): 1 running, 1 stopped", lines[0]);
        Assert.StartsWith("BOT ", lines[3]);
        var alpha = lines.Single(l => l.StartsWith("alpha ", StringComparison.Ordinal));
        Assert.Contains("running", alpha);
        Assert.Contains("4242424242:****", alpha);
        Assert.DoesNotContain("\u001b[", status);

        var (_, coloured) = await Get("/status?color=true", "text/plain");
        Assert.Contains("\u001b[32mrunning\u001b[0m", coloured);

        var (listType, list) = await Get("/bots", "text/plain");
        Assert.Equal("text/plain", listType);
        Assert.Matches(@"^BOT +STATE +PID +SOURCE +COMMAND\n", list);
        Assert.Contains("sh -c sleep 1000", list.Split('\n').Single(l => l.StartsWith("beta ", StringComparison.Ordinal)));

        // Anything that does not prefer text gets JSON: no Accept, */*, a browser, JSON ranked higher.
        foreach (var accept in new[] { null, "*/*", "text/html,application/xhtml+xml,*/*;q=0.8", "application/json, text/plain;q=0.5" })
        {
            Assert.Equal("application/json", (await Get("/status", accept)).MediaType);
        }
        var bad = await http.GetAsync("/status?color=maybe");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task StartStopRestart_ChangeTheBot_AndAreAudited()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        using var http = await daemon.HttpAsync(ApiToken);
        await daemon.ApiAddressAsync();

        var started = await Json(await http.PostAsync("/bots/beta/start", null));
        Assert.Equal("running", started.GetProperty("state").GetString());
        var pid = started.GetProperty("pid").GetInt32();
        var restarted = await Json(await http.PostAsync("/bots/beta/restart", null));
        Assert.Equal("running", restarted.GetProperty("state").GetString());
        Assert.NotEqual(pid, restarted.GetProperty("pid").GetInt32());
        var stopped = await Json(await http.PostAsync("/bots/beta/stop", null));
        Assert.Equal("stopped", stopped.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/bots/nope/start", null)).StatusCode);

        var events = await ReadEventsAsync(http, "/events?follow=false&tail=1000");
        var audit = events.Where(e => e.GetProperty("kind").GetString() == "audit").Select(e => e.GetProperty("message").GetString()).ToList();
        Assert.Contains("token:env: start beta: now running", audit);
        Assert.Contains("token:env: restart beta: now running", audit);
        Assert.Contains("token:env: stop beta: now stopped", audit);
    }

    [Fact]
    public async Task AddedBot_Runs_SurvivesADaemonRestart_AndCanBeReplacedAndRemoved()
    {
        using var fleet = Fleet();
        await using (var daemon = Start(fleet))
        {
            using var http = await daemon.HttpAsync(ApiToken);
            var created = await http.PostAsync("/bots", new StringContent("""{"id":"gamma","command":["sh","-c","sleep 1000"],"token":"111:gammagammagammagammagammagammagamma","env":{"A":"1"}}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal("/bots/gamma", created.Headers.Location?.ToString());
            var body = await Json(created);
            Assert.Equal("api", body.GetProperty("source").GetString());
            Assert.Equal("111:****", body.GetProperty("token").GetString());
            await daemon.WaitForRunningAsync("gamma");

            var duplicate = await http.PostAsync("/bots", new StringContent("""{"id":"gamma","command":["true"]}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        }

        await using (var daemon = Start(fleet))
        {
            int pid = await daemon.WaitForRunningAsync("gamma");
            using var http = await daemon.HttpAsync(ApiToken);
            var yaml = "command: [sh, -c, 'sleep 999']\nrestart: always\n";
            var mark = daemon.Mark;
            var replaced = await http.PutAsync("/bots/gamma", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
            Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
            int newPid = await daemon.WaitForRunningAsync("gamma", after: mark);
            Assert.NotEqual(pid, newPid); // the changed definition restarted the bot
            Assert.False(Processes.IsAlive(pid));
            Assert.Equal(["sh", "-c", "sleep 999"], (await Json(await http.GetAsync("/bots/gamma"))).GetProperty("command").EnumerateArray().Select(e => e.GetString()));

            Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/bots/gamma")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/bots/gamma")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("/bots/gamma")).StatusCode);
            Assert.False(Processes.IsAlive(newPid)); // removing the bot stopped its worker
        }
    }

    [Fact]
    public async Task FileBots_CannotBeReplacedOrRemovedThroughTheApi_409NamesTheFile()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        using var http = await daemon.HttpAsync(ApiToken);

        var put = await http.PutAsync("/bots/alpha", new StringContent("""{"command":["true"]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Contains(fleet.ConfigPath, (await Json(put)).GetProperty("detail").GetString());
        var delete = await http.DeleteAsync("/bots/alpha");
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        var post = await http.PostAsync("/bots", new StringContent("""{"id":"alpha","command":["true"]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Conflict, post.StatusCode);
    }

    [Theory]
    [InlineData("""{"id":"x","command":["sleep","1"],"restart":"sometimes"}""", "restart", "unknown restart policy")]
    [InlineData("""{"id":"x","command":["sleep","1"],"restrat":"always"}""", "restrat", "did you mean 'restart'?")]
    [InlineData("""{"id":"x","command":["sleep","1"],"stop_timeout":"soon"}""", "stop_timeout", "not a duration")]
    [InlineData("""{"id":"Bad Id","command":["sleep","1"]}""", "bots.Bad Id", "a bot id must start")]
    [InlineData("""{"id":"x","command":["sleep","1"],"token":"4242424242:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq"}""", "token", "already uses this token")]
    [InlineData("""{"id":"x","command":["sleep","1"],"depends_on":["ghost"]}""", "depends_on", "no bot has this id")]
    [InlineData("""{"id":"x","command":["no-such-program-xyz"]}""", "command", "not found on PATH")]
    [InlineData("""{"id":"x", "command": [unclosed""", "$", "not valid JSON or YAML")]
    [InlineData("""{"command":["sleep","1"]}""", "id", "no 'id'")]
    public async Task AddBot_InvalidDefinition_Is400WithTheField_AndChangesNothing(string body, string field, string message)
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        using var http = await daemon.HttpAsync(ApiToken);

        var response = await http.PostAsync("/bots", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await Json(response);
        var errors = problem.GetProperty("errors");
        var key = errors.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => n.Contains(field, StringComparison.Ordinal));
        Assert.True(key is not null, $"no error for {field} in {problem}");
        Assert.Contains(message, string.Join(" ", errors.GetProperty(key).EnumerateArray().Select(e => e.GetString())));
        var bots = await Json(await http.GetAsync("/bots"));
        Assert.Equal(["alpha", "beta"], bots.EnumerateArray().Select(b => b.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task AddBot_OversizedBody_Is413()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        using var http = await daemon.HttpAsync(ApiToken);
        var body = "{\"id\":\"x\",\"command\":[\"" + new string('a', 100_000) + "\"]}";
        var response = await http.PostAsync("/bots", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Logs_TailAndFollow_WithTheTokenMasked()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        await daemon.WaitForRunningAsync("alpha");
        using var http = await daemon.HttpAsync(ApiToken);

        string text = "";
        for (int i = 0; i < 100 && !text.Contains("alpha says", StringComparison.Ordinal); i++)
        {
            text = await http.GetStringAsync("/bots/alpha/logs?tail=10");
            if (!text.Contains("alpha says", StringComparison.Ordinal)) await Task.Delay(100);
        }
        Assert.Contains("stdout alpha says 4242424242:****", text);
        Assert.DoesNotContain(Token, text);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/bots/nope/logs")).StatusCode);

        using var cts = new CancellationTokenSource(TestTimeouts.Event);
        using var response = await http.GetAsync("/bots/alpha/logs?tail=1&follow=true", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        Assert.Contains("alpha says", await reader.ReadLineAsync(cts.Token));
    }

    [Fact]
    public async Task Events_ResumeWithLastEventId_MissesNothingAndRepeatsNothing()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        using var http = await daemon.HttpAsync(ApiToken);
        await daemon.WaitForRunningAsync("alpha");

        var first = await ReadEventsAsync(http, "/events?follow=false&tail=1000");
        long lastId = first[^1].GetProperty("id").GetInt64();
        await http.PostAsync("/bots/beta/start", null);
        await http.PostAsync("/bots/beta/stop", null);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/events?follow=false");
        request.Headers.Add("Last-Event-ID", lastId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var resumed = await ReadEventsAsync(http, request);

        Assert.All(resumed, e => Assert.True(e.GetProperty("id").GetInt64() > lastId));
        var ids = resumed.Select(e => e.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var messages = resumed.Select(e => $"{e.GetProperty("bot")}:{e.GetProperty("kind")}:{(e.TryGetProperty("state", out var s) ? s.GetString() : "")}").ToList();
        Assert.Contains("beta:state:running", messages);
        Assert.Contains("beta:state:stopped", messages);
    }

    [Fact]
    public async Task Events_Follow_StreamsNewEventsLive()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        using var http = await daemon.HttpAsync(ApiToken);
        await daemon.WaitForRunningAsync("alpha");

        using var cts = new CancellationTokenSource(TestTimeouts.Event);
        using var response = await http.GetAsync("/events?tail=0", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        _ = http.PostAsync("/bots/beta/start", null, cts.Token);
        string? line;
        var seen = new List<string>();
        while ((line = await reader.ReadLineAsync(cts.Token)) is not null)
        {
            seen.Add(line);
            if (line.Contains("\"bot\":\"beta\"", StringComparison.Ordinal) && line.Contains("\"state\":\"running\"", StringComparison.Ordinal)) break;
        }
        Assert.Contains(seen, l => l.StartsWith("id: ", StringComparison.Ordinal));
        Assert.Contains(seen, l => l == "event: state");
    }

    [Fact]
    public async Task Metrics_ParseAsPrometheusText_AndRestartsMove()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        using var http = await daemon.HttpAsync(ApiToken);
        int pid = await daemon.WaitForRunningAsync("alpha");

        var before = Prometheus.Parse(await http.GetStringAsync("/metrics"));
        Assert.Equal(0, before.Value("botvisor_bot_restarts_total", ("bot_id", "alpha")));
        Assert.Equal(1, before.Value("botvisor_bot_state", ("bot_id", "alpha"), ("state", "running")));
        Assert.Equal(1, before.Value("botvisor_bot_state", ("bot_id", "beta"), ("state", "stopped")));
        Assert.DoesNotContain(before.Samples, s => s.Name == "botvisor_bot_state" && s.Value == 0); // one series per bot: its state

        using (var kill = System.Diagnostics.Process.Start("kill", ["-9", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await daemon.WaitForAsync(200, e => e.Message.StartsWith("Bot alpha: running", StringComparison.Ordinal) && !e.Message.Contains($"pid {pid})", StringComparison.Ordinal));

        // The metrics pipeline starts at the first scrape; requests from then on are counted.
        (await http.GetAsync("/bots")).EnsureSuccessStatusCode();
        var text = await http.GetStringAsync("/metrics");
        Assert.DoesNotContain(Token, text);
        var after = Prometheus.Parse(text);
        Assert.Equal(1, after.Value("botvisor_bot_restarts_total", ("bot_id", "alpha")));
        Assert.Equal(137, after.Value("botvisor_bot_last_exit_code", ("bot_id", "alpha")));
        Assert.True(after.Samples.Any(s => s.Name.StartsWith("http_server_request_duration_seconds", StringComparison.Ordinal)), "API request metrics are missing");
    }

    [Fact]
    public async Task Reload_AppliesTheFile_OrAnswers400WithEveryError()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        using var http = await daemon.HttpAsync(ApiToken);
        await daemon.WaitForRunningAsync("alpha");

        var ok = await Json(await http.PostAsync("/reload", null));
        Assert.Equal(2, ok.GetProperty("unchanged").GetInt32());

        File.AppendAllText(fleet.ConfigPath, "\n  gamma:\n    command: [sleep, 1]\n    restart: sometimes\n");
        var bad = await http.PostAsync("/reload", null);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await Json(bad);
        Assert.Contains("bots.gamma.restart", problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, (await Json(await http.GetAsync("/bots"))).GetArrayLength());
    }

    [Fact]
    public async Task Shutdown_StopsTheDaemon()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        using var http = await daemon.HttpAsync(ApiToken);
        await daemon.WaitForRunningAsync("alpha");

        var response = await http.PostAsync("/shutdown", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(0, await daemon.WaitForExitAsync());
    }

    [Fact]
    public async Task SchemaAndUi_AreServed_AndUnknownRoutesAreProblems()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        using var http = await daemon.HttpAsync(ApiToken);

        var schema = await Json(await http.GetAsync("/schema"));
        Assert.StartsWith("3.", schema.GetProperty("openapi").GetString());
        var paths = schema.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/bots/{id}/restart", paths);
        Assert.Contains("/events", paths);
        var ui = await http.GetAsync("/ui/");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        var page = await ui.Content.ReadAsStringAsync();
        Assert.Contains("<html", page, StringComparison.OrdinalIgnoreCase);
        // An offline daemon's docs (issue 14): no "Ask AI", no developer toolbar ("Deploy", "Generate SDK"), no telemetry.
        Assert.Contains("\"showDeveloperTools\":\"never\"", page);
        Assert.Contains("\"agent\":{\"disabled\":true}", page);
        Assert.Contains("\"telemetry\":false", page);
        var unknown = await http.GetAsync("/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task NoResponseEventOrLogLine_ContainsABotToken()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        using var http = await daemon.HttpAsync(ApiToken);
        await daemon.WaitForRunningAsync("alpha");
        await http.PostAsync("/bots", new StringContent("""{"id":"delta","command":["sh","-c","echo $BOT_TOKEN; sleep 1000"],"token":"222:deltadeltadeltadeltadeltadeltadelta"}""", Encoding.UTF8, "application/json"));
        await daemon.WaitForRunningAsync("delta");
        await http.PostAsync("/bots/alpha/restart", null);

        var bodies = new List<string>();
        foreach (var path in new[] { "/status", "/bots", "/bots/alpha", "/bots/delta", "/bots/alpha/logs", "/bots/delta/logs", "/metrics", "/events?follow=false&tail=1000" })
        {
            bodies.Add(await http.GetStringAsync(path));
        }
        var everything = string.Join("\n", bodies) + string.Join("\n", daemon.Entries.Select(e => e.Message + e.State)) + string.Join("\n", daemon.Stderr);
        Assert.DoesNotContain(Token, everything);
        Assert.DoesNotContain("222:deltadeltadeltadeltadeltadeltadelta", everything);
        Assert.DoesNotContain("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq", everything);
        Assert.DoesNotContain(ApiToken, everything);
        foreach (var file in Directory.GetFiles(Path.Combine(fleet.StateDir, "logs")))
        {
            var log = File.ReadAllText(file);
            Assert.DoesNotContain(Token, log);
            Assert.DoesNotContain("222:deltadeltadeltadeltadeltadeltadelta", log);
        }
    }

    internal static async Task<List<JsonElement>> ReadEventsAsync(HttpClient http, string path) =>
        await ReadEventsAsync(http, new HttpRequestMessage(HttpMethod.Get, path));

    internal static async Task<List<JsonElement>> ReadEventsAsync(HttpClient http, HttpRequestMessage request)
    {
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        return text.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l[6..]).RootElement.Clone()).ToList();
    }
}
