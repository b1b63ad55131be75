using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Botvisor.IntegrationTests.Runners;

/// <summary>The emulator's platform side (a Sensay-shaped list of replicas), driven through <c>/_platform</c>.</summary>
public sealed class PlatformClient(EmulatorHost emulator)
{
    private HttpClient Http => emulator.Http;

    /// <summary>What a source's URL is: the Sensay-shaped list on the emulator.</summary>
    public string ListUrl => emulator.BaseUrl + "/v1/replicas?integration=telegram";

    public async Task PutAsync(string slug, string token, string service = "node-1", bool register = true)
    {
        var body = new JsonObject { ["token"] = token, ["service_name"] = service, ["register"] = register };
        (await Http.PutAsJsonAsync($"/_platform/replicas/{slug}", body)).EnsureSuccessStatusCode();
    }

    public async Task PatchAsync(string slug, string path, JsonNode? value) =>
        (await Http.PatchAsJsonAsync($"/_platform/replicas/{slug}", new JsonObject { ["path"] = path, ["value"] = value })).EnsureSuccessStatusCode();

    public async Task RemoveAsync(string slug) => (await Http.DeleteAsync($"/_platform/replicas/{slug}")).EnsureSuccessStatusCode();

    public async Task FaultAsync(string mode, int? count = null) =>
        (await Http.PostAsJsonAsync("/_platform/fault", new JsonObject { ["mode"] = mode, ["count"] = count })).EnsureSuccessStatusCode();

    public async Task SecretAsync(string secret) =>
        (await Http.PostAsJsonAsync("/_platform/secret", new JsonObject { ["secret"] = secret })).EnsureSuccessStatusCode();

    public async Task<JsonObject> StatsAsync() => (await Http.GetFromJsonAsync<JsonObject>("/_platform/stats"))!;
}
