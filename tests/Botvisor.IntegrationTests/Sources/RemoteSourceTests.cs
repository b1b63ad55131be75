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
        await using var run = await RunAsync("alpha", "beta", "gamma");
        var (daemon, http) = (run.Daemon, run.Http);
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
        await using var run = await RunAsync("alpha", "beta", "gamma");
        var (daemon, http) = (run.Daemon, run.Http);
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
        await using var run = await RunAsync("alpha", "beta");
        var (daemon, http) = (run.Daemon, run.Http);

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
        await using var run = await RunAsync("alpha", "beta");
        var (daemon, http) = (run.Daemon, run.Http);
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
        await using var run = await RunAsync(slugs);
        var http = run.Http;

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
        await _platform.PutAsync("another", Token(53));
        await SyncAsync(http);
        Assert.True((await http.PostAsync("/reload", null)).IsSuccessStatusCode);
        await daemon.WaitForRunningAsync("other");
        await daemon.WaitForRunningAsync("another");
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
        await using var run = await RunAsync("alpha");
        var (daemon, http) = (run.Daemon, run.Http);

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

    [Fact]
    public async Task AHostilePlatform_RedirectAndHugeBody_FailsTheFetch_WithoutFollowingOrReadingIt()
    {
        await using var run = await RunAsync("alpha");
        var (daemon, http) = (run.Daemon, run.Http);

        await _platform.FaultAsync("redirect");
        var redirect = await SyncAsync(http);
        Assert.False(redirect.GetProperty("ok").GetBoolean());
        Assert.Contains("HTTP 302", redirect.GetProperty("result").GetString());

        await _platform.FaultAsync("huge");
        var huge = await SyncAsync(http);
        Assert.False(huge.GetProperty("ok").GetBoolean());
        Assert.Contains("more than 16 MiB", huge.GetProperty("result").GetString());
        Assert.Equal("running", (await BotsAsync(http))["alpha"].State);
    }

    [Fact]
    public async Task ManySyncsAtOnce_NeverOverlapFetches_AndAreServedTogether()
    {
        await PutReplicasAsync("alpha", "beta", "gamma"); // two pages per fetch
        using var fleet = Fleet();
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await daemon.WaitForRunningAsync("alpha");
        using var http = await daemon.HttpAsync();
        await _platform.FaultAsync("slow");
        long before = (await _platform.StatsAsync())["requests"]!.GetValue<long>();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => SyncAsync(http)));
        Assert.All(outcomes, o => Assert.True(o.GetProperty("ok").GetBoolean()));
        var stats = await _platform.StatsAsync();
        Assert.Equal(1, stats["max_in_flight"]!.GetValue<int>());
        // Twelve syncs, at most three fetches: the one under way and one more for all that came meanwhile (two pages each).
        Assert.True(stats["requests"]!.GetValue<long>() - before <= 6, stats.ToJsonString());
    }

    [Fact]
    public async Task Reload_RemovingTheSource_StopsItsBots_ABotOfTheFileCannotTakeASourcesId()
    {
        await using var run = await RunAsync("alpha");
        var (fleet, http) = (run.Fleet, run.Http);

        var yaml = File.ReadAllText(fleet.ConfigPath);
        File.WriteAllText(fleet.ConfigPath, yaml + "bots:\n  alpha: { command: [sleep, '100'] }\n");
        var clash = await http.PostAsync("/reload", null);
        Assert.Equal(HttpStatusCode.BadRequest, clash.StatusCode);
        Assert.Contains("source 'sensay'", await clash.Content.ReadAsStringAsync());

        File.WriteAllText(fleet.ConfigPath, yaml[..yaml.IndexOf("sources:", StringComparison.Ordinal)]);
        var reload = await http.PostAsync("/reload", null);
        Assert.True(reload.IsSuccessStatusCode, await reload.Content.ReadAsStringAsync());
        Assert.Empty(await BotsAsync(http));
        Assert.Equal("[]", (await http.GetStringAsync("/sources")).Trim());
    }

    [Fact]
    public async Task RenamingTheTemplate_KeepsTheSourcesBots_AndAFileBotWinsAStoredIdAtStart()
    {
        await PutReplicasAsync("alpha", "beta");
        using var fleet = Fleet();
        int alphaPid;
        await using (var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir))
        {
            alphaPid = await daemon.WaitForRunningAsync("alpha");
            await daemon.WaitForRunningAsync("beta");
            using var http = await daemon.HttpAsync();

            // Only the template's name (its key and the source's `template:`), not the source's URL.
            File.WriteAllText(fleet.ConfigPath, File.ReadAllText(fleet.ConfigPath)
                .Replace("  replica:", "  worker:", StringComparison.Ordinal).Replace("template: replica", "template: worker", StringComparison.Ordinal));
            var reload = await http.PostAsync("/reload", null);
            var body = await reload.Content.ReadAsStringAsync();
            Assert.True(reload.IsSuccessStatusCode, body);
            Assert.Contains("\"unchanged\":2", body.Replace(" ", "", StringComparison.Ordinal));
            await _platform.PutAsync("gamma", Token(60)); // a fetch under the new name
            Assert.Contains("1 added", (await SyncAsync(http)).GetProperty("result").GetString());
            Assert.Equal(alphaPid, (await BotsAsync(http))["alpha"].Pid);
            daemon.Signal("TERM");
            Assert.Equal(0, await daemon.WaitForExitAsync());
        }

        // Restarted with a file that defines 'alpha' itself, during an outage: the file's alpha runs, the source keeps beta.
        await _platform.FaultAsync("error500");
        File.AppendAllText(fleet.ConfigPath, "bots:\n  alpha: { command: [sleep, '1000'] }\n");
        await using var second = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await second.WaitForRunningAsync("alpha");
        await second.WaitForRunningAsync("beta");
        using var http2 = await second.HttpAsync();
        var alpha = JsonDocument.Parse(await http2.GetStringAsync("/bots/alpha")).RootElement;
        Assert.EndsWith("botvisor.yaml", alpha.GetProperty("source").GetString());
        Assert.Contains(second.Entries, e => e.EventId == 907);
    }

    [Fact]
    public async Task EveryItemWithOneToken_APlatformBug_IsAHeldRemoval_NotTheEndOfTheFleet()
    {
        await using var run = await RunAsync("alpha", "beta", "gamma");
        var http = run.Http;
        var before = await BotsAsync(http);
        foreach (var slug in new[] { "beta", "gamma" }) await _platform.PutAsync(slug, _tokens[0], register: false);

        var outcome = await SyncAsync(http);
        Assert.Contains("removal of 2 bot(s) held", outcome.GetProperty("result").GetString());
        Assert.Contains("2 entries rejected", outcome.GetProperty("result").GetString());
        Assert.Equal(before, await BotsAsync(http));
    }

    [Fact]
    public async Task WhenEveryEntryFailsHere_AProgramOrDirectoryGone_TheFetchFails_AndTheBotsKeepRunning()
    {
        var work = Directory.CreateTempSubdirectory("botvisor-src-cwd-").FullName;
        await PutReplicasAsync("alpha", "beta");
        using var fleet = Fleet();
        File.WriteAllText(fleet.ConfigPath, File.ReadAllText(fleet.ConfigPath).Replace("  replica:\n", $"  replica:\n    cwd: \"{work}\"\n", StringComparison.Ordinal));
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await daemon.WaitForRunningAsync("alpha");
        await daemon.WaitForRunningAsync("beta");
        using var http = await daemon.HttpAsync();
        var before = await BotsAsync(http);

        Directory.Delete(work); // a deploy moves the bots' directory away
        await _platform.PutAsync("alpha", Token(70));
        var outcome = await SyncAsync(http);
        Assert.False(outcome.GetProperty("ok").GetBoolean());
        Assert.Contains("every entry of the list fails here", outcome.GetProperty("result").GetString());
        Assert.Equal(before, await BotsAsync(http));

        Directory.CreateDirectory(work); // back: the same list is read again, and applied
        var again = await SyncAsync(http);
        Assert.True(again.GetProperty("ok").GetBoolean(), again.GetProperty("result").GetString());
        Assert.Contains("1 changed", again.GetProperty("result").GetString());
        Directory.Delete(work);
    }

    [Fact]
    public async Task AConnectionDroppedMidBody_FailsTheFetch_AndTheRunnerGoesOn()
    {
        await using var run = await RunAsync("alpha");
        var http = run.Http;
        await _platform.FaultAsync("truncated");
        var failed = await SyncAsync(http);
        Assert.False(failed.GetProperty("ok").GetBoolean());
        // Dropped mid-body (an HttpIOException), or, on a slow machine, before the client had the headers.
        var reason = failed.GetProperty("result").GetString()!;
        Assert.True(reason.Contains("ended before the answer did", StringComparison.Ordinal) || reason.Contains("could not be reached", StringComparison.Ordinal), reason);
        Assert.DoesNotContain("unexpected error", reason);

        await _platform.FaultAsync("none");
        await _platform.PutAsync("beta", Token(80));
        Assert.Contains("1 added", (await SyncAsync(http)).GetProperty("result").GetString());
    }

    [Fact]
    public async Task ATokenThatMovesBetweenSources_RejectsOnlyTheNewEntry_NotTheFetchingSourcesList()
    {
        await PutReplicasAsync("alpha");
        await _platform.PutAsync("other", Token(90), service: "node-2");
        using var fleet = Fleet();
        var second = $$"""
              second:
                url: "{{_platform.ListUrl}}"
                headers: { X-ORGANIZATION-SECRET: "{{Secret}}" }
                interval: 1h
                template: replica
                items: items
                pages: { number: page_index, size: page_size, per_page: 2, first: 1, total: total }
                map: { id: slug, token: telegram_integration.token, filter: { telegram_integration.service_name: node-2 } }
            """;
        // The second source comes after the first in the file.
        File.WriteAllText(fleet.ConfigPath, File.ReadAllText(fleet.ConfigPath).TrimEnd() + "\n" + second + "\n");
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await daemon.WaitForRunningAsync("alpha");
        await daemon.WaitForRunningAsync("other");
        using var http = await daemon.HttpAsync();

        // The platform gives node-1 a new replica with node-2's token (a bot moving between organisations).
        await _platform.PutAsync("mover", _tokens[^1], register: false);
        await _platform.PutAsync("gamma", Token(91));
        var outcome = await SyncAsync(http);
        Assert.True(outcome.GetProperty("ok").GetBoolean(), outcome.GetProperty("result").GetString());
        Assert.Contains("1 added", outcome.GetProperty("result").GetString());
        var rejected = Assert.Single(outcome.GetProperty("source").GetProperty("rejected").EnumerateArray());
        Assert.Equal("mover", rejected.GetProperty("id").GetString());
        Assert.Contains("already uses this token", rejected.GetProperty("reason").GetString());
        await daemon.WaitForRunningAsync("gamma");
        Assert.Equal("running", (await BotsAsync(http))["other"].State);
    }

    /// <summary>The platform lists <paramref name="slugs"/> (this node's), and a daemon runs a bot for each.</summary>
    private async Task<Running> RunAsync(params string[] slugs)
    {
        await PutReplicasAsync(slugs);
        Running run;
#pragma warning disable CA2000 // the fleet's directory passes to Running, which the caller disposes
        var fleet = Fleet();
#pragma warning restore CA2000
        try
        {
            run = new Running(fleet, DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir));
        }
        catch
        {
            fleet.Dispose();
            throw;
        }
        try
        {
            foreach (var slug in slugs) await run.Daemon.WaitForRunningAsync(slug);
            return run;
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
    }

    private sealed record Running(TempFleet Fleet, DaemonRunner Daemon) : IAsyncDisposable
    {
        /// <summary>The daemon's API on its local socket.</summary>
        public HttpClient Http { get; } = Daemon.UnixHttp();

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await Daemon.DisposeAsync();
            Fleet.Dispose();
        }
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
