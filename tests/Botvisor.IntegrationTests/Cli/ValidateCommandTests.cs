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
    }
}
