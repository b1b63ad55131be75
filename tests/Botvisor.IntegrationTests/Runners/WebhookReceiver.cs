using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Botvisor.IntegrationTests.Runners;

/// <summary>A webhook receiver on a free loopback port that fails its first <c>failFirst</c> requests with 500, and keeps every body.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(int Status, JsonObject Body, string? Authorization)> _requests = new();
    private int _failuresLeft;

    private WebhookReceiver(int failFirst)
    {
        _failuresLeft = failFirst;
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        _app = builder.Build();
        _app.MapPost("/hook/{secret}", async (HttpContext ctx) =>
        {
            var body = (JsonObject)(await JsonNode.ParseAsync(ctx.Request.Body))!;
            int status = Interlocked.Decrement(ref _failuresLeft) >= 0 ? 500 : 200;
            _requests.Enqueue((status, body, ctx.Request.Headers.Authorization.ToString()));
            ctx.Response.StatusCode = status;
        });
    }

    public string Url { get; private set; } = "";

    public IReadOnlyList<(int Status, JsonObject Body, string? Authorization)> Requests => _requests.ToList();

    public static async Task<WebhookReceiver> StartAsync(int failFirst)
    {
        var receiver = new WebhookReceiver(failFirst);
        await receiver._app.StartAsync();
        var address = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = address.TrimEnd('/') + "/hook/s3cr3t-path";
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
