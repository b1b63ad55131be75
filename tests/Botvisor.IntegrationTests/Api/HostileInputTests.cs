using System.Net;
using System.Text;
using System.Text.Json;
using Botvisor.IntegrationTests.Runners;

namespace Botvisor.IntegrationTests.Api;

/// <summary>
/// Inputs that once killed or hung the daemon (issue 13): a deeply nested body, an alias bomb, a fleet
/// file that does not parse. Each is a 400 problem naming line and column; the daemon lives on and the
/// running fleet is untouched.
/// </summary>
[Collection(Daemon.DaemonCollection.Name)]
public class HostileInputTests
{
    private const string ApiToken = "test-api-token-0123456789";

    private const string GoodFleet = """
        defaults:
          stop_timeout: 5s
          telegram: { validate: false }
        bots:
          alpha:
            command: ["sh", "-c", "sleep 1000"]
        """;

    private static string AliasBomb(string sep) => string.Join(sep,
        "\"a\": &a [x,x,x,x,x,x,x,x,x,x]", "\"b\": &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]", "\"c\": &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]",
        "\"d\": &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]", "\"e\": &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]", "\"f\": &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]",
        "\"g\": &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]", "\"h\": &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]", "\"i\": &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]");

    private static async Task<string> AssertLocatedProblemAsync(HttpResponseMessage response, string messagePart)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        var problem = JsonDocument.Parse(text).RootElement;
        var messages = problem.GetProperty("errors").EnumerateObject().SelectMany(p => p.Value.EnumerateArray()).Select(e => e.GetString()!).ToList();
        Assert.Contains(messages, m => m.StartsWith("line ", StringComparison.Ordinal) && m.Contains(", column ", StringComparison.Ordinal) && m.Contains(messagePart, StringComparison.Ordinal));
        return text;
    }

    private static async Task AssertFleetUnchangedAsync(DaemonRunner daemon, HttpClient http, int alphaPid)
    {
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        var bots = JsonDocument.Parse(await http.GetStringAsync("/bots")).RootElement;
        Assert.Equal(["alpha"], bots.EnumerateArray().Select(b => b.GetProperty("id").GetString()));
        Assert.Equal(alphaPid, bots[0].GetProperty("pid").GetInt32());
        Assert.Equal("running", bots[0].GetProperty("state").GetString());
        Assert.DoesNotContain(daemon.Entries, e => e.Message.Contains("Unhandled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HostileBodies_Are400WithALocation_AndTheFleetIsUntouched()
    {
        using var fleet = new TempFleet().Write(GoodFleet);
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir, new Dictionary<string, string> { ["BOTVISOR_API_TOKEN"] = ApiToken });
        int alphaPid = await daemon.WaitForRunningAsync("alpha");
        using var http = await daemon.HttpAsync(ApiToken);

        var deep = "{\"id\":\"deep\",\"command\":" + new string('[', 40_000);
        await AssertLocatedProblemAsync(await http.PostAsync("/bots", new StringContent(deep, Encoding.UTF8, "application/json")), "nested more than 64 levels");

        var bombAsKey = "{\"id\":\"bomb\",\"command\":[\"a\"],\"env\":{" + AliasBomb(", ") + ", *i : boom}}";
        await AssertLocatedProblemAsync(await http.PostAsync("/bots", new StringContent(bombAsKey, Encoding.UTF8, "application/json")), "alias");

        var bombAsValue = "{\"id\":\"bomb\",\"command\":[\"a\"],\"env\":{" + AliasBomb(", ") + ", \"j\": [*i,*i,*i,*i,*i,*i,*i,*i,*i,*i]}}";
        await AssertLocatedProblemAsync(await http.PostAsync("/bots", new StringContent(bombAsValue, Encoding.UTF8, "application/yaml")), "alias");

        var listAsKey = "{\"id\":\"x\",\"command\":[\"a\"],\"env\":{\"l\": &l [1, 2], *l : boom}}";
        await AssertLocatedProblemAsync(await http.PostAsync("/bots", new StringContent(listAsKey, Encoding.UTF8, "application/json")), "not a list or mapping");

        var complexKey = "{\"id\":\"x\",\"command\":[\"a\"],\"env\":{[1]: 2}}";
        await AssertLocatedProblemAsync(await http.PostAsync("/bots", new StringContent(complexKey, Encoding.UTF8, "application/json")), "not a list or mapping");

        var nul = "{\"id\":\"x\",\"command\":[\"a\"],\"cwd\":\"a\\u0000b\"}";
        await AssertLocatedProblemAsync(await http.PostAsync("/bots", new StringContent(nul, Encoding.UTF8, "application/json")), "NUL");

        // A replace parses before the controller's lock, but a missing bot is still 404 before a bad body's 400.
        Assert.Equal(HttpStatusCode.NotFound, (await http.PutAsync("/bots/nope", new StringContent(deep, Encoding.UTF8, "application/json"))).StatusCode);

        await AssertFleetUnchangedAsync(daemon, http, alphaPid);
    }

    [Fact]
    public async Task HostileFleetFile_ReloadIs400WithALocation_SighupIsLogged_AndTheFleetIsUntouched()
    {
        using var fleet = new TempFleet().Write(GoodFleet);
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir, new Dictionary<string, string> { ["BOTVISOR_API_TOKEN"] = ApiToken });
        int alphaPid = await daemon.WaitForRunningAsync("alpha");
        using var http = await daemon.HttpAsync(ApiToken);

        string[] files =
        [
            GoodFleet + "\n  deep:\n    command: " + new string('[', 40_000) + "\n",
            GoodFleet + "\n  ? [a, b]\n  : { command: x }\n",
            AliasBomb("\n").Replace("\"", "") + "\n? *i\n: boom\n" + GoodFleet,
            GoodFleet + "\n  beta: { command: [a, b\n",
            "env_file: /dev/zero\n" + GoodFleet,
        ];
        foreach (var file in files)
        {
            File.WriteAllText(fleet.ConfigPath, file);
            var response = await http.PostAsync("/reload", null);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
            Assert.Contains(fleet.ConfigPath + ":", text);
        }

        // SIGHUP with such a file: every error is logged with its location, then the rejection.
        File.WriteAllText(fleet.ConfigPath, files[0]);
        int mark = daemon.Mark;
        daemon.Signal("HUP");
        // (the POST /reload requests before logged errors too; their lines may still be arriving after the mark)
        var error = await daemon.WaitForAsync(107, e => e.Message.Contains("nested more than 64 levels", StringComparison.Ordinal), after: mark);
        Assert.Matches(@":\d+:\d+: .*nested more than 64 levels", error.Message);
        Assert.Contains(fleet.ConfigPath, error.Message);
        await daemon.WaitForAsync(106, after: mark);

        await AssertFleetUnchangedAsync(daemon, http, alphaPid);
    }
}
