using System.Text.Json;
using Botvisor.Core.Configuration;
using Botvisor.Core.Sources.Remote;

namespace Botvisor.Core.Tests.Sources;

public class FeedReaderTests
{
    private const string TokenA = "1000001:AAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string TokenB = "1000002:AAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private static readonly RemoteSourceConfig Sensay = new()
    {
        Name = "sensay",
        Url = new Uri("https://api.example.com/v1/replicas"),
        Template = "replica",
        Items = "items",
        Map = new FeedMapping
        {
            Id = "slug",
            Token = "telegram_integration.token",
            Env = new Dictionary<string, string> { ["REPLICA_SLUG"] = "slug", ["REPLICA_UUID"] = "uuid" },
            Enabled = "is_active",
            Filter = new Dictionary<string, string> { ["telegram_integration.service_name"] = "node-1" },
        },
    };

    private static FeedExtract Read(RemoteSourceConfig source, string page)
    {
        using var json = JsonDocument.Parse(page);
        return FeedReader.Read(source, FeedReader.Items(source, json.RootElement, 1).EnumerateArray().ToList());
    }

    private static string Item(string slug, string? token, string service = "node-1", bool active = true) =>
        "{\"uuid\": \"u-" + slug + "\", \"slug\": \"" + slug + "\", \"is_active\": " + (active ? "true" : "false")
        + ", \"telegram_integration\": {\"token\": " + (token is null ? "null" : "\"" + token + "\"") + ", \"service_name\": \"" + service + "\"}}";

    [Fact]
    public void MappedItems_BecomeBots_FilteredAndDisabledOnesAreLeftOutQuietly()
    {
        var extract = Read(Sensay, $$"""{"items": [{{Item("alpha", TokenA)}}, {{Item("other", TokenB, service: "node-2")}}, {{Item("off", TokenB, active: false)}}], "total": 3}""");
        var alpha = Assert.Single(extract.Accepted);
        Assert.Equal("alpha", alpha.Id);
        Assert.Equal(TokenA, alpha.Bot!.Token!.Reveal());
        Assert.Null(alpha.Bot.Template); // the controller applies the source's template as the file says at the time
        Assert.Equal("alpha", alpha.Bot.Env!["REPLICA_SLUG"]);
        Assert.Equal("u-alpha", alpha.Bot.Env["REPLICA_UUID"]);
        Assert.Equal(1, extract.Filtered);
        Assert.Equal(1, extract.Disabled);
        Assert.Empty(extract.Rejected);

        // The stored document reads back as the same bot.
        var (back, errors) = FleetFileLoader.ParseBotDocument(alpha.Document!, "stored", null, commandMayComeLater: true);
        Assert.Empty(errors);
        Assert.Equal(alpha.Bot, back);
    }

    [Fact]
    public void BadItems_AreRejectedAlone_WithReasons_ThatNeverHoldTheToken()
    {
        var extract = Read(Sensay, $$"""
            {"items": [{{Item("ok", TokenA)}}, {{Item("nulltoken", null)}}, {{Item("short", "123:abc")}}, {{Item("Bad Id", TokenB)}},
                       {"slug": "", "telegram_integration": {"token": "{{TokenB}}", "service_name": "node-1"}, "is_active": true},
                       {{Item("ok", TokenB)}}, 42]}
            """);
        Assert.Equal(["ok"], extract.Accepted.Select(e => e.Id));
        var reasons = extract.Rejected.ToDictionary(e => e.Index, e => e.Rejection!);
        Assert.Contains("no token", reasons[2]);
        Assert.Contains("not a Telegram bot token", reasons[3]);
        Assert.Contains("not a valid bot id", reasons[4]);
        Assert.Contains("no id", reasons[5]);
        Assert.Contains("also given by item 1", reasons[6]);
        Assert.Contains("not a JSON object", reasons[7]);
        Assert.All(reasons.Values, r => Assert.DoesNotContain("abc", r));
        Assert.All(reasons.Values, r => Assert.DoesNotContain("bbbbbbbb", r));
    }

    [Fact]
    public void BotvisorsOwnFormat_IsAListOfBotDefinitions_CheckedLikeTheApisBodies()
    {
        var source = new RemoteSourceConfig { Name = "own", Url = new Uri("https://x/bots"), Template = "replica" };
        var extract = Read(source, $$"""
            [{"id": "a", "token": "{{TokenA}}", "command": ["python3", "a.py"], "env": {"X": "1"} },
             {"id": "b", "token": "{{TokenB}}", "restart": "sometimes"},
             {"id": "c", "command": "sleep 1"} ]
            """);
        var a = Assert.Single(extract.Accepted);
        Assert.Equal(["python3", "a.py"], a.Bot!.Command);
        Assert.Null(a.Bot.Template); // the source's template fills what the item leaves out, applied by the controller
        Assert.Contains("restart", extract.Rejected.Single(e => e.Id == "b").Rejection);
        Assert.Contains("no token", extract.Rejected.Single(e => e.Id == "c").Rejection);
    }

    [Fact]
    public void AnItemMayNotChooseTheAccountItRunsAs_AndATokenInTheIdFieldIsMasked()
    {
        var source = new RemoteSourceConfig { Name = "own", Url = new Uri("https://x/bots") };
        var extract = Read(source, $$"""
            [{"id": "a", "token": "{{TokenA}}", "command": "sleep 1", "user": "root"},
             {"id": "{{TokenB}}", "token": "{{TokenB}}", "command": "sleep 1"} ]
            """);
        Assert.Empty(extract.Accepted);
        Assert.Contains("'user' cannot come from a source", extract.Rejected.Single(e => e.Id == "a").Rejection);
        var masked = extract.Rejected.Single(e => e.Index == 2);
        Assert.Equal("1000002:****", masked.Id);
        Assert.DoesNotContain("bbbbbbbb", masked.Rejection);
    }

    [Theory]
    [InlineData("{\"items\": {}}", "no list of items at 'items'")]
    [InlineData("{\"data\": []}", "no list of items at 'items'")]
    public void APageWithoutItsList_FailsTheFetch(string page, string message)
    {
        using var json = JsonDocument.Parse(page);
        var ex = Assert.Throws<FeedException>(() => FeedReader.Items(Sensay, json.RootElement, 1));
        Assert.Contains(message, ex.Message);
    }
}
