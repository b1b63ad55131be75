using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
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

    private EmulatorHost(WebApplication app, Uri address, HttpMessageHandler handler)
    {
        _app = app;
        Address = address;
        Http = new HttpClient(handler) { BaseAddress = address, Timeout = TestTimeouts.Event };
    }

    public Uri Address { get; }

    /// <summary>What a bot gets as TELEGRAM_API_BASE_URL.</summary>
    public string BaseUrl => Address.ToString().TrimEnd('/');

    public HttpClient Http { get; }

    public static Task<EmulatorHost> StartAsync() => StartAsync(["--urls", "http://127.0.0.1:0"], new SocketsHttpHandler());

    /// <summary>
    /// Over TLS, speaking HTTP/2 (by ALPN) as api.telegram.org does, with the self-signed certificate in these PEM
    /// files (which the control client trusts).
    /// </summary>
    public static Task<EmulatorHost> StartHttpsAsync(string certificatePem, string keyPem)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(X509Certificate2.CreateFromPem(File.ReadAllText(certificatePem)));
        return StartAsync(
            ["--urls", "https://127.0.0.1:0", "--Kestrel:Certificates:Default:Path", certificatePem, "--Kestrel:Certificates:Default:KeyPath", keyPem],
            new SocketsHttpHandler { SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy } });
    }

    private static async Task<EmulatorHost> StartAsync(string[] args, HttpMessageHandler handler)
    {
        var app = EmulatorApp.Create(args);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EmulatorHost(app, new Uri(address), handler);
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

    /// <summary>A user sends the bot a document; returns the bot's reply (waits up to <paramref name="waitSeconds"/>).</summary>
    public async Task<JsonObject> SendDocumentAndWaitForReplyAsync(string token, string name, byte[] content, int waitSeconds = 30, long chatId = 4242)
    {
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        var response = await Http.PostAsync($"/_emulator/bots/{token}/documents?name={Uri.EscapeDataString(name)}&chat_id={chatId}&wait={waitSeconds}", body);
        var answer = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(response.IsSuccessStatusCode, $"no reply to the document {name}: {answer}");
        return answer["reply"]!.AsObject();
    }

    /// <summary>The bytes of a file the emulator holds (one a bot uploaded), by file_id.</summary>
    public Task<byte[]> FileAsync(string fileId) => Http.GetByteArrayAsync($"/_emulator/files/{Uri.EscapeDataString(fileId)}");

    /// <summary>Makes the bot flood-limited: every call is answered 429 with <paramref name="retryAfter"/> until it is over.</summary>
    public async Task FloodAsync(string token, int retryAfter) =>
        (await Http.PostAsJsonAsync($"/_emulator/bots/{token}/flood", new JsonObject { ["retry_after"] = retryAfter })).EnsureSuccessStatusCode();

    /// <summary>From now on Telegram's deliveries to the bot's webhook fail with <paramref name="message"/> (getWebhookInfo's last error).</summary>
    public async Task FailWebhookAsync(string token, string message) =>
        (await Http.PostAsJsonAsync($"/_emulator/bots/{token}/webhook_failure", new JsonObject { ["message"] = message })).EnsureSuccessStatusCode();

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
