namespace Botvisor.Hosting;

/// <summary>
/// A daemon that is asked to stop ends the requests that would otherwise outlive it: a followed event stream, a
/// followed log or a forwarded stream waits for its client, and the host waits for every request (for up to
/// its shutdown timeout, an hour, since stopping the bots may take long). Each request's
/// <see cref="HttpContext.RequestAborted"/> is therefore also cancelled when the application starts stopping.
/// </summary>
internal sealed class ShutdownEndsRequestsMiddleware(RequestDelegate next, IHostApplicationLifetime lifetime)
{
    public async Task InvokeAsync(HttpContext context)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        context.RequestAborted = ended.Token;
        await next(context).ConfigureAwait(false);
    }
}
