using Botvisor.Core.Cluster;
using Botvisor.Core.Configuration;

namespace Botvisor.Core.Tests.Cluster;

/// <summary>The cluster's fleet: which part of a fleet file is shared, what it carries, and which file wins.</summary>
public class ClusterFleetTests
{
    private const string File = """
        # the team's fleet
        api:
          listen: http://127.0.0.1:9090
        admin:
          token: ${ADMIN_TOKEN}
          users: [1]
        defaults:
          restart: always
        bots:
          echo:
            command: [python3, echo.py]
            token: ${ECHO_TOKEN}
        alerts:
          wait: 30s
        """;

    private static readonly Dictionary<string, string> Environment = new()
    {
        ["ADMIN_TOKEN"] = "111111:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ["ECHO_TOKEN"] = "222222:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
    };

    private static FleetDocument? Document(string text, IReadOnlyDictionary<string, string>? environment, out string? problem)
    {
        var env = environment ?? Environment;
        var used = new Dictionary<string, string>(StringComparer.Ordinal);
        var loaded = FleetFileLoader.Parse(text, "/srv/bots/botvisor.yaml", "/srv/bots", name => env.GetValueOrDefault(name), used);
        Assert.True(loaded.Errors.Count == 0, string.Join("\n", loaded.Errors));
        return FleetDocument.Of(text, loaded.Fleet!, used, out problem);
    }

    private static FleetDocument Document(string text, IReadOnlyDictionary<string, string>? environment = null) =>
        Document(text, environment, out var problem) ?? throw new Xunit.Sdk.XunitException(problem);

    [Fact]
    public void TheSharedSections_AreKeptAsWritten_AndTheNodesOwnAreLeftOut()
    {
        var kept = FleetSections.Keep(File)!;
        Assert.Contains("defaults:\n  restart: always\n", kept, StringComparison.Ordinal);
        Assert.Contains("bots:\n  echo:\n    command: [python3, echo.py]\n", kept, StringComparison.Ordinal);
        Assert.DoesNotContain("admin", kept, StringComparison.Ordinal);
        Assert.DoesNotContain("listen", kept, StringComparison.Ordinal);
        Assert.DoesNotContain("alerts", kept, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDocument_CarriesTheVariablesItsBotsExpand_NotTheAdminBotsToken()
    {
        var doc = Document(File);
        Assert.Equal(["ECHO_TOKEN"], doc.Variables.Keys);
        Assert.DoesNotContain("ADMIN_TOKEN", doc.Text, StringComparison.Ordinal);

        // Read anywhere, with none of the publisher's environment: the same bot, the same token.
        var read = doc.Read(doc.Path);
        Assert.True(read.Succeeded, string.Join("\n", read.Errors));
        var echo = Assert.Single(read.Fleet!.Bots);
        Assert.Equal("222222:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", echo.Token?.Reveal());
        Assert.Equal("/srv/bots", read.Fleet.BaseDirectory);
    }

    [Fact]
    public void TheDocument_NeverShowsItsVariables()
    {
        var doc = Document(File);
        Assert.DoesNotContain("BBBBBBBB", doc.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("BBBBBBBB", doc.Digest, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDigest_ChangesWithABotOrAToken_NotWithTheNodesOwnSettings()
    {
        var doc = Document(File);
        Assert.Equal(doc.Digest, Document(File.Replace("127.0.0.1:9090", "127.0.0.1:9191", StringComparison.Ordinal)).Digest);
        Assert.Equal(doc.Digest, Document(File, new Dictionary<string, string>(Environment) { ["ADMIN_TOKEN"] = "333333:CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC" }).Digest);
        Assert.NotEqual(doc.Digest, Document(File, new Dictionary<string, string>(Environment) { ["ECHO_TOKEN"] = "444444:DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD" }).Digest);
        Assert.NotEqual(doc.Digest, Document(File.Replace("echo.py", "echo2.py", StringComparison.Ordinal)).Digest);
    }

    [Theory]
    [InlineData("{bots: {echo: {command: [python3, echo.py], token: '${ECHO_TOKEN}'}}, api: {listen: 'http://127.0.0.1:9090'}}")] // flow style
    [InlineData("bots: {echo: {command: [python3, echo.py]}}\r  # a lone CR\radmin: {token: '${ADMIN_TOKEN}', users: [1]}\n")]
    [InlineData("api: {listen: &l 'http://127.0.0.1:9090'}\nbots:\n  echo:\n    command: [python3, echo.py]\n    env: {LISTEN: *l}\n")] // an anchor of the node's own part
    public void AFileThatCannotBeShared_IsRefused_NeverSentWhole(string text)
    {
        Assert.Null(Document(text, null, out var problem));
        Assert.Contains("in a cluster", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("f1", null, null, false, FleetChoice.Publish)]   // the first node
    [InlineData("f1", "f1", null, false, FleetChoice.Same)]      // a node joins with the cluster's file
    [InlineData("f2", "f1", null, false, FleetChoice.Adopt)]     // a node joins with another file: it runs the cluster's
    [InlineData("f1", "f2", "f1", false, FleetChoice.Adopt)]     // restarted or reloaded with the file it read before (another was published since)
    [InlineData("f3", "f2", "f1", false, FleetChoice.Publish)]   // its file was edited, then it restarted or reloaded
    [InlineData("f1", "f2", "f3", false, FleetChoice.Publish)]   // reverted to an older file: a change too
    [InlineData("f1", "f2", "f1", true, FleetChoice.Publish)]    // reload --publish: a person asked for this file
    [InlineData("f2", "f1", null, true, FleetChoice.Publish)]
    [InlineData("f1", "f1", "f1", true, FleetChoice.Same)]
    public void WhichFileWins(string file, string? cluster, string? lastRead, bool publish, FleetChoice expected) =>
        Assert.Equal(expected, FleetPublishing.Decide(file, cluster, lastRead, publish));

    [Fact]
    public void TwoNodesRestartingWithDifferentFiles_NeverTakeTurns()
    {
        // a published f1, then b edited f2 in. Restarts and reloads without edits adopt; nothing publishes again.
        string cluster = "f2";
        var lastRead = new Dictionary<string, string> { ["a"] = "f1", ["b"] = "f2" };
        var files = new Dictionary<string, string> { ["a"] = "f1", ["b"] = "f2" };
        for (int round = 0; round < 10; round++)
        {
            foreach (var node in new[] { "a", "b" })
            {
                var choice = FleetPublishing.Decide(files[node], cluster, lastRead[node], publish: false);
                Assert.NotEqual(FleetChoice.Publish, choice);
            }
        }
        Assert.Equal("f2", cluster);
    }
}
