using System.Globalization;
using System.Text;

namespace Botvisor.Gateway;

/// <summary>The gateway's own answers, shaped and worded as Telegram's, so clients handle them as they would Telegram's.</summary>
internal static class BotApiAnswers
{
    public static Task UnauthorizedAsync(HttpContext context) => ErrorAsync(context, 401, "Unauthorized");

    public static Task NotFoundAsync(HttpContext context) => ErrorAsync(context, 404, "Not Found");

    public static Task SupersededAsync(HttpContext context) =>
        ErrorAsync(context, 409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running");

    public static Task TooManyRequestsAsync(HttpContext context, int retryAfter) =>
        ErrorAsync(context, 429, $"Too Many Requests: retry after {retryAfter}", retryAfter);

    public static Task BadGatewayAsync(HttpContext context) => ErrorAsync(context, 502, "Bad Gateway");

    /// <summary>The Bot API server answered with a redirect: never followed, never passed on (it would lead the worker to the real token).</summary>
    public static Task RedirectedAsync(HttpContext context) =>
        ErrorAsync(context, 502, "Bad Gateway: the Bot API server answered with a redirect, which the gateway does not follow or pass on");

    /// <summary>Telegram could not be reached in time (a connect timeout), or did not end a getUpdates within its own timeout.</summary>
    public static Task GatewayTimeoutAsync(HttpContext context) => ErrorAsync(context, 504, "Gateway Timeout");

    /// <summary>Only GET and POST reach the Bot API (and HEAD a file): nothing else goes upstream with the real token.</summary>
    public static Task MethodNotAllowedAsync(HttpContext context, bool isFile)
    {
        if (!context.Response.HasStarted) context.Response.Headers.Allow = isFile ? "GET, HEAD" : "GET, POST";
        return ErrorAsync(context, 405, "Method Not Allowed");
    }

    /// <summary>A node that does not hold the bot's lease (cluster) must not act for it: clients retry, and the worker is ended soon.</summary>
    public static Task NotLeaseHolderAsync(HttpContext context) =>
        ErrorAsync(context, 503, "Service Unavailable: this Botvisor node does not hold the bot's lease", 5);

    /// <summary>Answers with Telegram's error shape; when part of another answer went out already, the connection is aborted instead, so the client sees a failure, never a short answer.</summary>
    public static async Task ErrorAsync(HttpContext context, int code, string description, int? retryAfter = null)
    {
        if (context.Response.HasStarted)
        {
            context.Abort();
            return;
        }
        var allow = context.Response.Headers.Allow;
        context.Response.Clear(); // whatever was copied from an answer that broke off
        if (code == 405) context.Response.Headers.Allow = allow;
        var json = new StringBuilder(96).Append("{\"ok\":false,\"error_code\":").Append(code.ToString(CultureInfo.InvariantCulture))
            .Append(",\"description\":\"").Append(description).Append('"');
        if (retryAfter is { } r) json.Append(",\"parameters\":{\"retry_after\":").Append(r.ToString(CultureInfo.InvariantCulture)).Append('}');
        json.Append('}');
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        try
        {
            await context.Response.WriteAsync(json.ToString(), context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away.
        }
    }
}
