using System.Net;
using System.Text;
using System.Text.Json;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.Api;

/// <summary>
/// Generated requests against a real daemon (issue 13: 18 of 2,200 fuzzed requests got a 500): random
/// methods, paths, ids, query strings, media types and bodies mutated from valid definitions. Every
/// answer must be a deliberate one (no 5xx, a problem document for every error), and afterwards the
/// daemon is alive and its fleet as it was. A fixed seed in the suite; <c>BOTVISOR_API_FUZZ_COUNT=10000
/// BOTVISOR_API_FUZZ_SEED=random dotnet test --filter ApiFuzzTests</c> is the longer run (the seed is printed).
/// </summary>
[Collection(Daemon.DaemonCollection.Name)]
public class ApiFuzzTests(ITestOutputHelper output)
{
    private const string ApiToken = "test-api-token-0123456789";

    private const string Fleet = """
        defaults:
          stop_timeout: 5s
          telegram: { validate: false }
        bots:
          alpha:
            command: ["sh", "-c", "sleep 1000"]
        """;

    private static readonly string[] Paths =
    [
        "/health", "/status", "/bots", "/bots/{id}", "/bots/{id}/start", "/bots/{id}/stop", "/bots/{id}/restart", "/bots/{id}/logs",
        "/events", "/metrics", "/schema", "/reload", "/", "/ui", "/bots/{id}/{id}", "/%00", "/bots/",
    ];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

    private static readonly string[] Ids =
    [
        "alpha", "fuzzed", "ALPHA", "a b", "..", "%2e%2e", "%00", "x%ZZ", new string('a', 300), "-lead", "émoji😀", "a/b", "a%2Fb", "'", "\"",
    ];

    private static readonly string[] Queries =
    [
        "", "?n=5", "?n=-1", "?n=99999999999", "?n=abc", "?follow=maybe", "?follow=false", "?after=-5", "?after=xyz", "?after=9223372036854775807",
        "?color=true", "?color=2", "?bot=alpha&follow=false", "?n=1&n=2", "?%zz=1", "?limit=0",
    ];

    private static readonly string[] MediaTypes =
    [
        "application/json", "application/yaml", "text/yaml", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "application/json; charset=latin1", "garbage", "",
    ];

    private static readonly string[] Seeds =
    [
        """{"id":"fuzzed","command":["sh","-c","sleep 1000"],"autostart":false}""",
        """{"command":["sleep","1000"],"restart":"always","backoff":{"initial":"1s","max":"10s"},"max_restarts":3,"env":{"A":"1"},"autostart":false}""",
        "id: fuzzed\ncommand: sleep 1000\nautostart: false\nstop_timeout: 2s\n",
        """{"id":"fuzzed","command":"sleep 1000","memory_max":"64MiB","cpu_max":0.5,"autostart":false,"telegram":{"validate":false}}""",
    ];

    [Fact]
    public async Task GeneratedRequests_GetDeliberateAnswers_AndChangeNothingTheyShouldNot()
    {
        var (count, seed) = TestRuns.FromEnvironment("BOTVISOR_API_FUZZ_COUNT", 1500, "BOTVISOR_API_FUZZ_SEED", 1313);
        output.WriteLine($"api fuzz: {count} requests, seed {seed}");
        var random = new Random(seed);

        using var fleet = new TempFleet().Write(Fleet);
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir, new Dictionary<string, string> { ["BOTVISOR_API_TOKEN"] = ApiToken });
        await daemon.WaitForRunningAsync("alpha");
        using var http = await daemon.HttpAsync(ApiToken);
        http.Timeout = TimeSpan.FromSeconds(60);

        var failures = new List<string>();
        for (int i = 0; i < count; i++)
        {
            using var request = Generate(random);
            if (request.RequestUri!.OriginalString.Contains("/shutdown", StringComparison.Ordinal)) continue;
            string what = $"#{i} {request.Method} {request.RequestUri}";
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            }
            catch (HttpRequestException ex)
            {
                failures.Add($"{what}: the connection failed: {ex.Message}");
                if (!await AliveAsync(http)) break;
                continue;
            }
            using (response)
            {
                if ((int)response.StatusCode >= 500)
                {
                    failures.Add($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
                else if ((int)response.StatusCode >= 400 && request.Method != HttpMethod.Head && WantsJson(request)
                    && !RejectedByKestrel(request, response)
                    && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{what}: {(int)response.StatusCode} without a problem document ({response.Content.Headers.ContentType})");
                }
            }
            // A start/stop/restart of alpha is a legitimate request: put it back as it was, so the end state can be checked.
            if (i % 50 == 0) await ResetAsync(http);
        }
        Assert.True(failures.Count == 0, $"seed {seed}: {failures.Count} bad answer(s):\n" + string.Join('\n', failures.Take(20)));

        await ResetAsync(http);
        Assert.True(await AliveAsync(http), "the daemon no longer answers");
        var bots = JsonDocument.Parse(await http.GetStringAsync("/bots")).RootElement;
        var alpha = bots.EnumerateArray().Single(b => b.GetProperty("id").GetString() == "alpha");
        Assert.Equal("running", alpha.GetProperty("state").GetString());
        Assert.DoesNotContain(daemon.Entries, e => e.Message.Contains("Unhandled", StringComparison.Ordinal) || e.Message.Contains("Faulted", StringComparison.Ordinal));
    }

    /// <summary>A client that asked for text (Accept: text/plain) gets its error as text; every other one as a problem document.</summary>
    private static bool WantsJson(HttpRequestMessage request)
    {
        var accept = request.Headers.Accept.ToString();
        return accept.Length == 0 || accept.Contains("json", StringComparison.Ordinal) || accept.Contains("*/*", StringComparison.Ordinal);
    }

    /// <summary>A request target with a NUL is not HTTP: Kestrel answers 400 before any of the daemon's code runs.</summary>
    private static bool RejectedByKestrel(HttpRequestMessage request, HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.BadRequest && request.RequestUri!.OriginalString.Contains("%00", StringComparison.Ordinal)
        && response.Content.Headers.ContentLength == 0;

    private static async Task<bool> AliveAsync(HttpClient http)
    {
        try
        {
            return (await http.GetAsync("/health")).StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Removes what the fuzz added and starts alpha again if a request stopped it.</summary>
    private static async Task ResetAsync(HttpClient http)
    {
        var bots = JsonDocument.Parse(await http.GetStringAsync("/bots")).RootElement;
        foreach (var bot in bots.EnumerateArray())
        {
            var id = bot.GetProperty("id").GetString()!;
            if (id != "alpha") (await http.DeleteAsync("/bots/" + Uri.EscapeDataString(id))).Dispose();
            else if (bot.GetProperty("state").GetString() is not ("running" or "starting")) (await http.PostAsync("/bots/alpha/start", null)).Dispose();
        }
    }

    private static HttpRequestMessage Generate(Random random)
    {
        var id = Pick(random, Ids);
        var path = Pick(random, Paths).Replace("{id}", id, StringComparison.Ordinal) + Pick(random, Queries);
        var method = new HttpMethod(Pick(random, Methods));
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (random.Next(4) == 0) request.Headers.TryAddWithoutValidation("Accept", Pick(random, ["text/plain", "application/json", "*/*", "text/html,application/xhtml+xml", "garbage/", "text/plain;q=0"]));
        if (random.Next(20) == 0) request.Headers.TryAddWithoutValidation("Last-Event-ID", Pick(random, ["-1", "abc", "99999999999999999999", "5"]));
        if (method != HttpMethod.Get && method != HttpMethod.Head && random.Next(3) != 0)
        {
            var body = Mutate(random, Pick(random, Seeds));
            var content = new ByteArrayContent(body);
            var type = Pick(random, MediaTypes);
            if (type.Length > 0) content.Headers.TryAddWithoutValidation("Content-Type", type);
            request.Content = content;
        }
        return request;
    }

    private static byte[] Mutate(Random random, string seed)
    {
        var bytes = new List<byte>(Encoding.UTF8.GetBytes(seed));
        int edits = random.Next(0, 6);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0: bytes.RemoveAt(at); break;
                case 1: bytes.Insert(at, (byte)random.Next(256)); break;
                case 2: bytes[at] = (byte)Punctuation[random.Next(Punctuation.Length)]; break;
                case 3: bytes.InsertRange(at, Encoding.UTF8.GetBytes(new string('[', random.Next(1, 200)))); break;
                case 4: bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 30))); break;
                case 5: bytes.InsertRange(at, Encoding.UTF8.GetBytes(Pick(random, ["\"restart\":\"sometimes\",", "\"max_restarts\":-1,", "\"stop_signal\":\"SIGFOO\",", "\"memory_max\":\"1XB\",", "\"depends_on\":[\"alpha\",\"alpha\"],", "\"id\":\"alpha\",", "\"cwd\":\"/nonexistent\",", "\"command\":[],", "\"backoff\":{\"initial\":\"-1s\"},", "\"user\":\"nosuchuser\","]))); break;
                default: bytes.InsertRange(at, bytes.GetRange(0, Math.Min(bytes.Count, random.Next(1, 40)))); break;
            }
        }
        return bytes.ToArray();
    }

    private const string Punctuation = "{}[]:,\"'\\\n\t &*!|>-0";

    private static string Pick(Random random, string[] from) => from[random.Next(from.Length)];
}
