using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Botvisor.IntegrationTests.Gateway;

/// <summary>
/// A Bot API server that misbehaves on purpose, on a real loopback socket: what the emulator will not do
/// (redirects, echoed tokens, answers that break off or never come). Records every request it gets.
/// </summary>
internal sealed class FakeUpstream : IAsyncDisposable
{
    /// <summary>One request as it arrived (<see cref="At"/>: its monotonic timestamp).</summary>
    public sealed record Seen(string Method, string Target, long At, string? ContentEncoding, byte[] Body);

    private readonly WebApplication _app;

    private FakeUpstream(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public ConcurrentQueue<Seen> Requests { get; } = new();

    /// <summary>Requests whose method path ends with <paramref name="method"/>.</summary>
    public List<Seen> Of(string method) => Requests.Where(r => r.Target.Split('?')[0].EndsWith("/" + method, StringComparison.Ordinal)).ToList();

    public static async Task<FakeUpstream> StartAsync(Func<HttpContext, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var upstream = new FakeUpstream(app);
        app.Run(async context =>
        {
            long at = Stopwatch.GetTimestamp();
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
            upstream.Requests.Enqueue(new Seen(context.Request.Method, target, at, context.Request.Headers.ContentEncoding.FirstOrDefault(), body.ToArray()));
            await handler(context);
        });
        await app.StartAsync();
        upstream.BaseUrl = app.Urls.First().TrimEnd('/');
        return upstream;
    }

    /// <summary>Waits until the request is abandoned by the gateway: for answers that never come.</summary>
    public static async Task HangAsync(HttpContext context, TaskCompletionSource? aborted = null)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            aborted?.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
