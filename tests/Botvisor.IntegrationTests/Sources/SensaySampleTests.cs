using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Botvisor.IntegrationTests.Api;
using Botvisor.IntegrationTests.Runners;

namespace Botvisor.IntegrationTests.Sources;

/// <summary>The README's worked example, as written: samples/sources/sensay.yaml with its own emulator as the platform.</summary>
[Collection(Daemon.DaemonCollection.Name)]
public sealed class SensaySampleTests
{
    private static string Sample => Path.Combine(OpenApiBaselineTests.RepositoryRoot(), "samples", "sources", "sensay.yaml");

    [Fact]
    public async Task TheSample_RunsThisNodesReplicas_FromThePlatformsPagedList_AndTheyAnswer()
    {
        int port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var stateDir = Directory.CreateTempSubdirectory("botvisor-sensay-").FullName;
        try
        {
            // Only the port differs from the README's command (8082 may be taken on a test machine).
            await using var daemon = DaemonRunner.Start(Sample, stateDir, new Dictionary<string, string>
            {
                ["SENSAY_API_URL"] = url,
                ["TELEGRAM_API_BASE_URL"] = url,
            });
            using var http = await daemon.HttpAsync();
            // The emulator is built on first start; the source retries with backoff meanwhile.
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            while (true)
            {
                var bots = JsonDocument.Parse(await http.GetStringAsync("/bots", cts.Token)).RootElement.EnumerateArray()
                    .ToDictionary(b => b.GetProperty("id").GetString()!, b => b.GetProperty("state").GetString());
                if (bots.GetValueOrDefault("ada") == "running" && bots.GetValueOrDefault("grace") == "running")
                {
                    Assert.False(bots.ContainsKey("hopper")); // node-2's
                    break;
                }
                await Task.Delay(500, cts.Token);
            }

            using var emulator = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
            var response = await emulator.PostAsJsonAsync("/_emulator/bots/1000101:AAAdaReplicaFakeTokenForTheSample01/messages?wait=30",
                new JsonObject { ["chat_id"] = 1, ["text"] = "hello ada" }, cts.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("echo: hello ada", (await response.Content.ReadFromJsonAsync<JsonObject>(cts.Token))!["reply"]!["text"]!.GetValue<string>());

            var (code, text, err) = await DaemonRunner.RunCliAsync(new Dictionary<string, string> { ["BOTVISOR_STATE_DIR"] = stateDir }, "sources");
            Assert.True(code == 0, err);
            Assert.Contains("sensay  ok", text);
            Assert.Contains("2 bot(s), 1 item(s) for others (filter)", text);
            Assert.DoesNotContain("demo-organization-secret", text);
        }
        finally
        {
            Directory.Delete(stateDir, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
