using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Botvisor.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using TelegramEmulator;

namespace Botvisor.IntegrationTests.Runners;

/// <summary>The Bot API emulator on a free loopback port, in the test process, driven through its control API.</summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmulatorHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TestTimeouts.Event };
    }

    public Uri Address { get; }

    /// <summary>What a bot gets as TELEGRAM_API_BASE_URL.</summary>
    public string BaseUrl => Address.ToString().TrimEnd('/');

    public HttpClient Http { get; }

    public static async Task<EmulatorHost> StartAsync()
    {
        var app = EmulatorApp.Create(["--urls", "http://127.0.0.1:0"]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EmulatorHost(app, new Uri(address));
    }

    public async Task<string> RegisterAsync(string username)
    {
        var response = await Http.PostAsJsonAsync("/_emulator/bots", new JsonObject { ["username"] = username });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
    }

    /// <summary>A user writes to the bot; returns the bot's reply (waits up to <paramref name="waitSeconds"/>).</summary>
    public async Task<JsonObject> SendAndWaitForReplyAsync(string token, string text, int waitSeconds = 30, long chatId = 4242)
    {
        var response = await Http.PostAsJsonAsync($"/_emulator/bots/{token}/messages?wait={waitSeconds}", new JsonObject { ["chat_id"] = chatId, ["text"] = text });
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(response.IsSuccessStatusCode, $"no reply to '{text}': {body}");
        return body["reply"]!.AsObject();
    }

    public async Task<long> InjectAsync(string token, string text, long chatId = 4242)
    {
        var response = await Http.PostAsJsonAsync($"/_emulator/bots/{token}/messages", new JsonObject { ["chat_id"] = chatId, ["text"] = text });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["update_id"]!.GetValue<long>();
    }

    public async Task<JsonObject> StatsAsync(string token) => (await Http.GetFromJsonAsync<JsonObject>($"/_emulator/bots/{token}/stats"))!;

    public async Task<JsonArray> SentAsync(string token) => (await Http.GetFromJsonAsync<JsonArray>($"/_emulator/bots/{token}/sent"))!;

    public async Task RevokeAsync(string token) => (await Http.PostAsync($"/_emulator/bots/{token}/revoke", null)).EnsureSuccessStatusCode();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
