using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;

namespace Botvisor.Core.Tests.Configuration;

/// <summary>The fleet file's <c>templates:</c> and <c>sources:</c>: what they give, and located errors that never show a secret.</summary>
public class TemplatesAndSourcesLoaderTests
{
    private static FleetLoadResult Parse(string yaml, Dictionary<string, string>? env = null) =>
        FleetFileLoader.Parse(yaml, "/fleet/botvisor.yaml", "/fleet", name => env?.GetValueOrDefault(name));

    private const string Sensay = """
        templates:
          replica:
            command: ${REPLICA_COMMAND:-python3 -u bot.py}
            env: { MODE: replica, LEVEL: info }
            max_restarts: 3
            telegram: { api_base_url: "${TELEGRAM_API_BASE_URL:-https://api.telegram.org}" }
        sources:
          sensay:
            url: ${SENSAY_API_URL}/v1/replicas?integration=telegram
            headers: { X-ORGANIZATION-SECRET: "${SENSAY_API_KEY}" }
            interval: 2m
            template: replica
            items: items
            max_removal: 25%
            pages: { number: page_index, size: page_size, per_page: 50, first: 1, total: total }
            map:
              id: slug
              token: telegram_integration.token
              env: { REPLICA_SLUG: slug, REPLICA_UUID: uuid }
              filter: { telegram_integration.service_name: "${SERVICE_NAME}" }
        bots:
          pinned:
            template: replica
            token: "123:AAAA"
            env: { LEVEL: debug }
            max_restarts: 7
        """;

    private static readonly Dictionary<string, string> Env = new()
    {
        ["SENSAY_API_URL"] = "https://api.sensay.io",
        ["SENSAY_API_KEY"] = "sk-live-very-secret",
        ["SERVICE_NAME"] = "node-1",
    };

    [Fact]
    public void ASensayShapedSource_AndABotFromATemplate_AreReadByConfigurationAlone()
    {
        var loaded = Parse(Sensay, Env);
        Assert.True(loaded.Succeeded, string.Join("\n", loaded.Errors));
        var fleet = loaded.Fleet!;

        var pinned = Assert.Single(fleet.Bots);
        Assert.Equal(["python3", "-u", "bot.py"], pinned.Command);
        Assert.Equal("debug", pinned.Env!["LEVEL"]);            // the bot's variable wins
        Assert.Equal("replica", pinned.Env["MODE"]);             // the template's others are kept
        Assert.Equal(7, pinned.MaxRestarts);
        Assert.Equal("https://api.telegram.org", pinned.Telegram!.ApiBaseUrl);

        var source = Assert.Single(fleet.Sources);
        Assert.Equal("sensay", source.Name);
        Assert.Equal("https://api.sensay.io/v1/replicas?integration=telegram", source.Url.ToString());
        Assert.Equal("sk-live-very-secret", source.Headers["X-ORGANIZATION-SECRET"].Reveal());
        Assert.Equal("****", source.Headers["X-ORGANIZATION-SECRET"].ToString());
        Assert.Equal(TimeSpan.FromMinutes(2), source.Interval);
        Assert.Equal(0.25, source.MaxRemoval);
        Assert.Equal("page_index", source.Pages.NumberParameter);
        Assert.Equal(50, source.Pages.PageSize);
        Assert.Equal("total", source.Pages.TotalField);
        Assert.Equal("slug", source.Map!.Id);
        Assert.Equal("node-1", source.Map.Filter["telegram_integration.service_name"]);
    }

    [Fact]
    public void Defaults_AreSixtySecondsTenPercentAndBotvisorsOwnFormat()
    {
        var loaded = Parse("sources:\n  plain: { url: https://example.com/bots.json }\n");
        Assert.True(loaded.Succeeded, string.Join("\n", loaded.Errors));
        var source = Assert.Single(loaded.Fleet!.Sources);
        Assert.Equal(TimeSpan.FromSeconds(60), source.Interval);
        Assert.Equal(0.10, source.MaxRemoval);
        Assert.Null(source.Map);
        Assert.False(source.Pages.Numbered);
    }

    [Theory]
    [InlineData("bots:\n  a: { template: nope, token: '1:a' }\ntemplates:\n  replica: { command: sleep 1 }\n", "bots.a.template", 2, "unknown template 'nope'")]
    [InlineData("bots:\n  a: { token: '1:a' }\n", "bots.a", 2, "no 'command:'")]
    [InlineData("templates:\n  replica: { command: sleep 1, token: '1:a' }\n", "templates.replica.token", 2, "a template has no token")]
    [InlineData("templates:\n  replica: { command: sleep 1, template: other }\n", "templates.replica.template", 2, "unknown key")]
    [InlineData("sources:\n  s: { interval: 1m }\n", "sources.s", 2, "no 'url:'")]
    [InlineData("sources:\n  s: { url: ftp://x/y }\n", "sources.s.url", 2, "http:// or https://")]
    [InlineData("sources:\n  s: { url: 'https://x/y', interval: 100ms }\n", "sources.s.interval", 2, "at most once a second")]
    [InlineData("sources:\n  s: { url: 'https://x/y', max_removal: 150% }\n", "sources.s.max_removal", 2, "from 0% to 100%")]
    [InlineData("sources:\n  s: { url: 'https://x/y', template: nope }\n", "sources.s.template", 2, "no 'templates:'")]
    [InlineData("sources:\n  s: { url: 'https://x/y', map: { id: slug } }\n", "sources.s.map", 2, "no 'token:'")]
    [InlineData("sources:\n  s: { url: 'https://x/y', map: { id: slug, token: t } }\n", "sources.s", 2, "needs a 'template:'")]
    [InlineData("sources:\n  s: { url: 'https://x/y', pages: { next: next, link: true } }\n", "sources.s.pages", 2, "choose one way")]
    [InlineData("sources:\n  s: { url: 'https://x/y', pages: { total: total } }\n", "sources.s.pages", 2, "go with numbered pages")]
    [InlineData("sources:\n  s: { url: 'https://x/y', items: 'a..b' }\n", "sources.s.items", 2, "dotted path")]
    [InlineData("sources:\n  api: { url: 'https://x/y' }\n", "sources.api", 2, "not be 'api'")]
    [InlineData("sources:\n  s: { url: 'https://x/y', headers: { 'Bad Header': v } }\n", "sources.s.headers.Bad Header", 2, "not a valid HTTP header name")]
    [InlineData("sources:\n  s: { url: 'https://x/y', colour: red }\n", "sources.s.colour", 2, "unknown key")]
    [InlineData("sources:\n  s: { url: 'http://platform.example/y', headers: { X-Key: k } }\n", "sources.s.url", 2, "clear text: use https://")]
    public void Mistakes_AreLocated(string yaml, string path, int line, string message)
    {
        var loaded = Parse(yaml);
        Assert.False(loaded.Succeeded);
        var error = Assert.Single(loaded.Errors, e => e.Path == path);
        Assert.Equal(line, error.Location!.Value.Line);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void AHeaderErrorNeverShowsItsValue_AndAUrlErrorMasksCredentials()
    {
        var loaded = Parse("sources:\n  s:\n    url: 'ftp://user:hunter2@x/y'\n    headers: { X-Key: \"line1\\nsk-secret-value\" }\n");
        Assert.False(loaded.Succeeded);
        var text = string.Join("\n", loaded.Errors.Select(e => e.ToString()));
        Assert.Contains("sources.s.headers.X-Key", text);
        Assert.DoesNotContain("sk-secret-value", text);
        Assert.DoesNotContain("hunter2", text);
    }

    [Fact]
    public void AnUndefinedVariableInAHeader_IsNamed_NotExpanded()
    {
        var loaded = Parse("sources:\n  s: { url: 'https://x/y', headers: { X-Key: '${NOPE}' } }\n");
        Assert.Contains(loaded.Errors, e => e.Path == "sources.s.headers.X-Key" && e.Message.Contains("NOPE", StringComparison.Ordinal));
    }

    [Fact]
    public void ABotOfTheApi_MayNameATemplate_AndNeedsNoCommandThen()
    {
        var (bot, errors) = FleetFileLoader.ParseBotDocument("""{"id": "x", "template": "replica", "token": "1:a"}""", "request body", null);
        Assert.Empty(errors);
        Assert.Equal("replica", bot!.Template);
        Assert.Empty(bot.Command);
        var resolved = BotTemplates.Apply(bot, new BotConfig { Id = "replica", Command = ["sleep", "1"], Env = new Dictionary<string, string> { ["A"] = "1" } });
        Assert.Equal(["sleep", "1"], resolved.Command);
        Assert.Equal("1", resolved.Env!["A"]);
        Assert.Equal("1:a", resolved.Token!.Reveal());
    }
}
