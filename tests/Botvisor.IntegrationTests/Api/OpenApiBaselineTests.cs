using System.Text.Json;
using System.Text.Json.Nodes;
using Botvisor.IntegrationTests.Runners;

namespace Botvisor.IntegrationTests.Api;

/// <summary>
/// The API contract is pinned in docs/openapi.json: a change of the generated document fails here
/// until the baseline is updated on purpose (BOTVISOR_UPDATE_OPENAPI=1 dotnet test).
/// </summary>
[Collection(Daemon.DaemonCollection.Name)]
public class OpenApiBaselineTests
{
    [Fact]
    public async Task Schema_MatchesTheCommittedBaseline()
    {
        using var fleet = new TempFleet().Write("bots: {}\n");
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        using var http = await daemon.HttpAsync();
        var generated = Normalize(await http.GetStringAsync("/schema"));

        var baselinePath = Path.Combine(RepositoryRoot(), "docs", "openapi.json");
        if (Environment.GetEnvironmentVariable("BOTVISOR_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(baselinePath, generated);
        }
        var baseline = File.Exists(baselinePath) ? await File.ReadAllTextAsync(baselinePath) : "(missing)";
        Assert.True(baseline == generated,
            "The OpenAPI document changed. If the change is intended, run `BOTVISOR_UPDATE_OPENAPI=1 dotnet test --filter OpenApiBaselineTests` and commit docs/openapi.json.");
    }

    private static string Normalize(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        node.Remove("servers"); // the port differs per run
        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Botvisor.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException("cannot find the repository root (Botvisor.slnx) above " + AppContext.BaseDirectory);
    }
}
