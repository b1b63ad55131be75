using System.Text.Json;
using Botvisor.IntegrationTests.Runners;

namespace Botvisor.IntegrationTests.Cli;

public class ValidateCommandTests
{
    [Fact]
    public async Task Validate_GoodFile_ExitsZero()
    {
        using var fleet = new TempFleet().Write("bots:\n  a: { command: sleep 1 }\n");
        var (code, stdout, _) = await DaemonRunner.RunCliAsync("validate", fleet.ConfigPath);
        Assert.Equal(0, code);
        Assert.Contains("OK, 1 bot(s)", stdout);
    }

    [Fact]
    public async Task Validate_BadFile_PrintsEveryErrorWithLocationAndExitsOne()
    {
        using var fleet = new TempFleet().Write("""
            bots:
              Bad.Id: { command: sleep 1 }
              a: { command: sleep 1, token: "1:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", depends_on: [ghost] }
              b: { command: sleep 1, token: "1:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }
            """);
        var (code, _, stderr) = await DaemonRunner.RunCliAsync("validate", fleet.ConfigPath);
        Assert.Equal(1, code);
        Assert.Contains("botvisor.yaml:2:3: bots.Bad.Id:", stderr);
        Assert.Contains("bots.a.depends_on[0]: no bot has this id (value: 'ghost')", stderr);
        Assert.Contains("bots.b.token: bot 'a' already uses this token", stderr);
        Assert.Contains("3 error(s)", stderr);
    }

    [Fact]
    public async Task Validate_MissingFile_SaysSo()
    {
        var (code, _, stderr) = await DaemonRunner.RunCliAsync("validate", "/nonexistent/botvisor.yaml");
        Assert.Equal(1, code);
        Assert.Contains("cannot read the fleet file", stderr);
        Assert.Contains("botvisor init", stderr); // and what to do about it
        Assert.Contains("samples/fleet/botvisor.yaml", stderr);
    }

    [Fact]
    public async Task Validate_Json_PrintsEveryErrorAsAnObjectAndExitsOne()
    {
        using var fleet = new TempFleet().Write("""
            bots:
              a: { command: sleep 1, token: "123456:secretAxxxxxxxxxxxxxxxxxxxxxxxxxxxx", restart: sometimes }
              b: { command: sleep 1, token: "123456:secretAxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }
            """);
        var (code, stdout, stderr) = await DaemonRunner.RunCliAsync("validate", "--json", fleet.ConfigPath);
        Assert.Equal(1, code);
        Assert.Equal("", stderr);
        Assert.DoesNotContain("secretA", stdout);
        using var doc = JsonDocument.Parse(stdout);
        var errors = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, errors.Count);
        var restart = errors.Single(e => e.GetProperty("path").GetString() == "bots.a.restart");
        Assert.Equal(fleet.ConfigPath, restart.GetProperty("file").GetString());
        Assert.Equal(2, restart.GetProperty("line").GetInt32());
        Assert.True(restart.GetProperty("column").GetInt32() > 1);
        Assert.Equal("sometimes", restart.GetProperty("value").GetString());
        Assert.Contains("unknown restart policy", restart.GetProperty("message").GetString());
        var token = errors.Single(e => e.GetProperty("path").GetString() == "bots.b.token");
        Assert.Equal("123456:****", token.GetProperty("value").GetString());
    }

    [Fact]
    public async Task Validate_Json_GoodFile_PrintsAnEmptyArray()
    {
        using var fleet = new TempFleet().Write("bots:\n  a: { command: sleep 1 }\n");
        var (code, stdout, _) = await DaemonRunner.RunCliAsync("validate", "--json", fleet.ConfigPath);
        Assert.Equal(0, code);
        Assert.Equal("[]", stdout.Trim());
    }

    [Fact]
    public async Task Validate_HostileFiles_AreLocatedErrorsNotCrashes()
    {
        // Each of these once killed `validate` (stack overflow, InvalidCastException, OutOfMemoryException).
        string[] files =
        [
            "bots:\n  deep:\n    command: " + new string('[', 40_000) + "\n",
            "bots:\n  ? [a, b]\n  : { command: x }\n",
            "env_file: /dev/zero\nbots: {}\n",
        ];
        foreach (var yaml in files)
        {
            using var fleet = new TempFleet().Write(yaml);
            var (code, stdout, stderr) = await DaemonRunner.RunCliAsync("validate", "--json", fleet.ConfigPath);
            Assert.True(code == 1, $"exit code {code}; stderr: {stderr}");
            using var doc = JsonDocument.Parse(stdout);
            var error = Assert.Single(doc.RootElement.EnumerateArray());
            Assert.Equal(fleet.ConfigPath, error.GetProperty("file").GetString());
            Assert.True(error.GetProperty("line").GetInt32() >= 1, stdout);
        }
    }
}
