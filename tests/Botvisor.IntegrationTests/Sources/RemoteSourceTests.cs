using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Botvisor.IntegrationTests.Api;
using Botvisor.IntegrationTests.Runners;

namespace Botvisor.IntegrationTests.Sources;

/// <summary>
/// A remote source against a real HTTP server playing the platform (the emulator's Sensay-shaped list:
/// paged, behind a secret header, with ETags), with real echo bots: what each answer of the platform does
/// to the running fleet.
/// </summary>
[Collection(Daemon.DaemonCollection.Name)]
public sealed class RemoteSourceTests : IAsyncLifetime
{
    private const string Secret = "org-secret-3f9a1c77e2";
    private const int SourceFetchFailing = 903;
    private EmulatorHost _emu = null!;
    private PlatformClient _platform = null!;
    private readonly List<string> _tokens = [];

    public async ValueTask InitializeAsync()
    {
        _emu = await EmulatorHost.StartAsync();
        _platform = new PlatformClient(_emu);
        await _platform.SecretAsync(Secret);
    }

    public ValueTask DisposeAsync() => _emu.DisposeAsync();

    private static string EchoBot => Path.Combine(OpenApiBaselineTests.RepositoryRoot(), "samples", "bots", "python-stdlib", "echo_bot.py");

    /// <summary>A fresh token in Telegram's shape that the emulator knows.</summary>
    private string Token(int n)
    {
        var token = $"{8_000_000 + n}:AA{new string((char)('a' + n % 26), 31)}{n % 10}{n % 7}";
        _tokens.Add(token);
        return token;
    }

    private TempFleet Fleet(string interval = "1h", string extra = "") => new TempFleet().Write($$"""
        defaults:
          restart: always
          backoff: { initial: 100ms, max: 300ms, jitter: 0 }
          stop_timeout: 5s
        templates:
          replica:
            command: ["python3", "-u", "{{EchoBot}}"]
            telegram: { api_base_url: "{{_emu.BaseUrl}}" }
        sources:
          sensay:
            url: "{{_platform.ListUrl}}"
            headers: { X-ORGANIZATION-SECRET: "{{Secret}}" }
            interval: {{interval}}
            timeout: 2s
            template: replica
            items: items
            pages: { number: page_index, size: page_size, per_page: 2, first: 1, total: total }
            map:
              id: slug
              token: telegram_integration.token
              env: { REPLICA_SLUG: slug, REPLICA_UUID: uuid }
              filter: { telegram_integration.service_name: node-1 }
        {{extra}}
        """);

    private static async Task<JsonElement> SourceAsync(HttpClient http) =>
        JsonDocument.Parse(await http.GetStringAsync("/sources/sensay")).RootElement;

    private static async Task<JsonElement> SyncAsync(HttpClient http, string verb = "sync")
    {
        var response = await http.PostAsync($"/sources/sensay/{verb}", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task<Dictionary<string, (string State, int? Pid)>> BotsAsync(HttpClient http)
    {
        var bots = JsonDocument.Parse(await http.GetStringAsync("/bots")).RootElement;
        return bots.EnumerateArray().ToDictionary(b => b.GetProperty("id").GetString()!,
            b => (b.GetProperty("state").GetString()!, b.TryGetProperty("pid", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : (int?)null));
    }

    private async Task PutReplicasAsync(params string[] slugs)
    {
        for (int i = 0; i < slugs.Length; i++) await _platform.PutAsync(slugs[i], Token(i + 1));
    }

    [Fact]
    public async Task PagedFilteredList_RunsOneEchoBotPerReplica_ThenAnUnchangedListCostsA304()
    {
        await PutReplicasAsync("alpha", "beta", "gamma");
        await _platform.PutAsync("delta", Token(9), service: "node-2"); // another node's
        using var fleet = Fleet();
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        foreach (var id in new[] { "alpha", "beta", "gamma" }) await daemon.WaitForRunningAsync(id);
        using var http = await daemon.HttpAsync();

        var reply = await _emu.SendAndWaitForReplyAsync(_tokens[0], "hello from the platform", 60);
        Assert.Equal("echo: hello from the platform", reply["text"]!.GetValue<string>());
        var bots = await BotsAsync(http);
        Assert.False(bots.ContainsKey("delta"));
        var alpha = JsonDocument.Parse(await http.GetStringAsync("/bots/alpha")).RootElement;
        Assert.Equal("sensay", alpha.GetProperty("source").GetString());

        var source = await SourceAsync(http);
        Assert.Equal(1, source.GetProperty("generation").GetInt64());
        Assert.Equal(3, source.GetProperty("bots").GetInt32());
        Assert.Equal(1, source.GetProperty("filtered").GetInt32());
        Assert.Equal("ok", source.GetProperty("health").GetString());

        var before = (await _platform.StatsAsync())["not_modified"]!.GetValue<long>();
        var again = await SyncAsync(http);
        Assert.True(again.GetProperty("ok").GetBoolean());
        Assert.Equal("not modified (304)", again.GetProperty("result").GetString());
        Assert.True((await _platform.StatsAsync())["not_modified"]!.GetValue<long>() >= before + 2); // both pages answered 304
        Assert.Equal(bots, await BotsAsync(http)); // same workers

        // Neither the secret header nor a token appears in what the daemon shows or logs.
        var shown = await http.GetStringAsync("/sources") + await http.GetStringAsync("/status") + await http.GetStringAsync("/events?tail=500&follow=false");
        AssertNoSecrets(shown, daemon);
    }

    [Fact]
    public async Task OneChangedToken_RestartsOnlyThatBot()
    {
        await PutReplicasAsync("alpha", "beta", "gamma");
        using var fleet = Fleet();
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        foreach (var id in new[] { "alpha", "beta", "gamma" }) await daemon.WaitForRunningAsync(id);
        using var http = await daemon.HttpAsync();
        var before = await BotsAsync(http);

        int mark = daemon.Mark;
        var newToken = Token(20);
        await _platform.PutAsync("beta", newToken);
        var outcome = await SyncAsync(http);
        Assert.Contains("0 added, 1 changed, 0 removed", outcome.GetProperty("result").GetString());
        int betaPid = await daemon.WaitForRunningAsync("beta", after: mark);

        var after = await BotsAsync(http);
        Assert.NotEqual(before["beta"].Pid, betaPid);
        Assert.Equal(before["alpha"], after["alpha"]);
        Assert.Equal(before["gamma"], after["gamma"]);
        Assert.Equal("echo: new token", (await _emu.SendAndWaitForReplyAsync(newToken, "new token", 60))["text"]!.GetValue<string>());
        Assert.Equal(2, (await SourceAsync(http)).GetProperty("generation").GetInt64());
    }

    [Fact]
    public async Task Outages_500_Timeout_MalformedJson_MissingPage_KeepTheRunningFleet_AndAreReportedOnce()
    {
        await PutReplicasAsync("alpha", "beta", "gamma");
        using var fleet = Fleet();
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        foreach (var id in new[] { "alpha", "beta", "gamma" }) await daemon.WaitForRunningAsync(id);
        using var http = await daemon.HttpAsync();
        var before = await BotsAsync(http);

        string[] faults = ["error500", "timeout", "malformed", "missing_page"];
        string[] expected = ["HTTP 500", "did not answer within 2s", "is not valid JSON", "page 2"];
        for (int i = 0; i < faults.Length; i++)
        {
            await _platform.FaultAsync(faults[i]);
            await _platform.PutAsync("epsilon", Token(30 + i)); // a change the failed fetch must not half-apply
            var outcome = await SyncAsync(http);
            Assert.False(outcome.GetProperty("ok").GetBoolean(), faults[i]);
            Assert.Contains(expected[i], outcome.GetProperty("result").GetString());
            Assert.Equal("failing", outcome.GetProperty("source").GetProperty("health").GetString());
            Assert.Equal(before, await BotsAsync(http));
        }
        // The outage was logged as beginning once, not at every attempt.
        Assert.Single(daemon.Entries, e => e.EventId == SourceFetchFailing);
        var source = await SourceAsync(http);
        Assert.Equal(4, source.GetProperty("consecutive_failures").GetInt32());
        Assert.Equal(1, source.GetProperty("generation").GetInt64());
        var metrics = Prometheus.Parse(await http.GetStringAsync("/metrics"));
        Assert.Equal(0, metrics.Value("botvisor_source_up", ("source", "sensay")));
        Assert.Equal(4, metrics.Value("botvisor_source_consecutive_failures", ("source", "sensay")));
        Assert.Equal(3, metrics.Value("botvisor_source_bots", ("source", "sensay")));
        Assert.Equal(4, metrics.Value("botvisor_source_fetches_total", ("source", "sensay"), ("result", "failed")));

        await _platform.FaultAsync("none");
        var recovered = await SyncAsync(http);
        Assert.True(recovered.GetProperty("ok").GetBoolean());
        await daemon.WaitForRunningAsync("epsilon");
        var events = await http.GetStringAsync("/events?tail=200&follow=false");
        Assert.Contains("fetching works again after 4 failed attempt(s)", events);
        AssertNoSecrets(events, daemon);
    }

    [Fact]
    public async Task BadEntries_NullToken_DuplicateToken_BadId_AreRejectedAlone_TheRestIsApplied()
    {
        await PutReplicasAsync("alpha", "beta");
        using var fleet = Fleet();
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await daemon.WaitForRunningAsync("alpha");
        await daemon.WaitForRunningAsync("beta");
        using var http = await daemon.HttpAsync();

        await _platform.PutAsync("nulltoken", Token(40));
        await _platform.PatchAsync("nulltoken", "telegram_integration.token", null);
        await _platform.PutAsync("copycat", _tokens[0], register: false);     // alpha's token
        await _platform.PutAsync("Bad Slug!", Token(41));
        await _platform.PutAsync("good", Token(42));
        var outcome = await SyncAsync(http);
        Assert.True(outcome.GetProperty("ok").GetBoolean());
        Assert.Contains("1 added", outcome.GetProperty("result").GetString());
        Assert.Contains("3 entries rejected", outcome.GetProperty("result").GetString());
        await daemon.WaitForRunningAsync("good");

        var rejected = outcome.GetProperty("source").GetProperty("rejected").EnumerateArray()
            .ToDictionary(r => r.TryGetProperty("id", out var id) ? id.GetString()! : "?", r => r.GetProperty("reason").GetString()!);
        Assert.Contains("no token", rejected["nulltoken"]);
        Assert.Contains("already uses this token", rejected["copycat"]);
        Assert.Contains("not a valid bot id", rejected["Bad Slug!"]);
        var bots = await BotsAsync(http);
        Assert.Equal(["alpha", "beta", "good"], bots.Keys.Order().ToArray());
        Assert.All(bots.Values, b => Assert.Equal("running", b.State));

        var (code, text, _) = await DaemonRunner.RunCliAsync(Cli(daemon), "sources");
        Assert.Equal(0, code);
        Assert.Contains("rejected item", text);
        Assert.Contains("(copycat)", text);
        AssertNoSecrets(text + JsonSerializer.Serialize(outcome), daemon);
    }

    [Fact]
    public async Task EmptyList_IsNeverApplied_UntilAccepted()
    {
        await PutReplicasAsync("alpha", "beta");
        using var fleet = Fleet();
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await daemon.WaitForRunningAsync("alpha");
        await daemon.WaitForRunningAsync("beta");
        using var http = await daemon.HttpAsync();
        var before = await BotsAsync(http);

        await _platform.FaultAsync("empty");
        for (int i = 0; i < 3; i++)
        {
            var outcome = await SyncAsync(http);
            Assert.Contains("removal of 2 bot(s) held", outcome.GetProperty("result").GetString());
            Assert.True(outcome.GetProperty("source").GetProperty("held_removal").GetProperty("needs_accept").GetBoolean());
        }
        Assert.Equal(before, await BotsAsync(http));

        var (code, stdout, stderr) = await DaemonRunner.RunCliAsync(Cli(daemon), "sources", "accept", "sensay");
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("2 removed", stdout);
        Assert.Empty(await BotsAsync(http));
        var conflict = await http.PostAsync("/sources/sensay/accept", null);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
    }

    [Fact]
    public async Task HalfTheBotsMissing_IsHeld_ThenAppliedWhenTheNextFetchShowsItAgain()
    {
        var slugs = Enumerable.Range(1, 10).Select(i => $"r{i}").ToArray();
        await PutReplicasAsync(slugs);
        using var fleet = Fleet();
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        foreach (var id in slugs) await daemon.WaitForRunningAsync(id);
        using var http = await daemon.HttpAsync();

        // One bot may go (10 % of 10): applied at once.
        await _platform.RemoveAsync("r10");
        Assert.Contains("1 removed", (await SyncAsync(http)).GetProperty("result").GetString());

        foreach (var slug in slugs[..5]) await _platform.RemoveAsync(slug);
        var held = await SyncAsync(http);
        Assert.Contains("removal of 5 bot(s) held", held.GetProperty("result").GetString());
        Assert.Equal(9, (await BotsAsync(http)).Count);
        var events = await http.GetStringAsync("/events?tail=50&follow=false");
        Assert.Contains("5 of 9 bot(s) missing from the list", events);

        var confirmed = await SyncAsync(http);
        Assert.Contains("5 removed", confirmed.GetProperty("result").GetString());
        Assert.Equal(["r6", "r7", "r8", "r9"], (await BotsAsync(http)).Keys.Order().ToArray());
    }

    [Fact]
    public async Task FailedBot_StaysFailedAcrossFetches_UntilItsDefinitionChanges()
    {
        await PutReplicasAsync("alpha");
        await _platform.PutAsync("revoked", Token(50));
        await _emu.RevokeAsync(_tokens[^1]);
        using var fleet = Fleet(extra: "");
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await daemon.WaitForRunningAsync("alpha");
        using var http = await daemon.HttpAsync();
        await WaitForStateAsync(http, "revoked", "failed");

        await _platform.PutAsync("other", Token(51)); // the list changes, the failed bot's entry does not
        await SyncAsync(http);
        await SyncAsync(http);
        await daemon.WaitForRunningAsync("other");
        Assert.Equal("failed", (await BotsAsync(http))["revoked"].State);
        Assert.DoesNotContain(daemon.Entries, e => e.Message.StartsWith("Bot revoked: running", StringComparison.Ordinal));

        var fresh = Token(52);
        await _platform.PutAsync("revoked", fresh);
        await SyncAsync(http);
        await daemon.WaitForRunningAsync("revoked");
    }

    [Fact]
    public async Task LastGoodList_RunsAgain_WhenTheDaemonRestartsDuringAnOutage()
    {
        await PutReplicasAsync("alpha", "beta");
        using var fleet = Fleet();
        await using (var first = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir))
        {
            await first.WaitForRunningAsync("alpha");
            await first.WaitForRunningAsync("beta");
            first.Signal("TERM");
            Assert.Equal(0, await first.WaitForExitAsync());
        }

        await _platform.FaultAsync("error500");
        await using var second = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await second.WaitForRunningAsync("alpha");
        await second.WaitForRunningAsync("beta");
        await second.WaitForAsync(SourceFetchFailing);
        using var http = await second.HttpAsync();
        var source = await SourceAsync(http);
        Assert.Equal("failing", source.GetProperty("health").GetString());
        Assert.Equal(1, source.GetProperty("generation").GetInt64());
        Assert.Equal(2, source.GetProperty("bots").GetInt32());
        Assert.Equal("echo: still here", (await _emu.SendAndWaitForReplyAsync(_tokens[1], "still here", 60))["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task SourceBots_BelongToTheSource_StartStopWork_ReplaceAndRemoveAnswer409NamingIt()
    {
        await PutReplicasAsync("alpha");
        using var fleet = Fleet();
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await daemon.WaitForRunningAsync("alpha");
        using var http = await daemon.HttpAsync();

        var remove = await http.DeleteAsync("/bots/alpha");
        Assert.Equal(HttpStatusCode.Conflict, remove.StatusCode);
        Assert.Contains("source 'sensay'", await remove.Content.ReadAsStringAsync());
        var replace = await http.PutAsync("/bots/alpha", new StringContent("""{"command": ["sleep", "100"]}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Conflict, replace.StatusCode);
        var add = await http.PostAsync("/bots", new StringContent("""{"id": "alpha", "command": ["sleep", "100"]}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Conflict, add.StatusCode);
        Assert.Contains("source 'sensay'", await add.Content.ReadAsStringAsync());

        Assert.True((await http.PostAsync("/bots/alpha/stop", null)).IsSuccessStatusCode);
        Assert.Equal("stopped", (await BotsAsync(http))["alpha"].State);
        Assert.True((await http.PostAsync("/bots/alpha/start", null)).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/sources/nope/sync", null)).StatusCode);
    }

    private static async Task WaitForStateAsync(HttpClient http, string bot, string state)
    {
        using var cts = new CancellationTokenSource(Botvisor.Testing.TestTimeouts.Event);
        while ((await BotsAsync(http)).GetValueOrDefault(bot).State != state) await Task.Delay(100, cts.Token);
    }

    private static Dictionary<string, string> Cli(DaemonRunner daemon) => new() { ["BOTVISOR_STATE_DIR"] = daemon.StateDir };

    private void AssertNoSecrets(string shown, DaemonRunner daemon)
    {
        var logs = string.Join('\n', daemon.Entries.Select(e => e.Message + e.State.GetRawText())) + string.Join('\n', daemon.Stderr);
        foreach (var secret in _tokens.Prepend(Secret))
        {
            Assert.DoesNotContain(secret, shown);
            Assert.DoesNotContain(secret, logs);
        }
    }
}
