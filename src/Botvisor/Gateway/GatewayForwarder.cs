using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Botvisor.Core.Cluster;
using Botvisor.Core.Gateway;
using Microsoft.AspNetCore.Http.Features;

namespace Botvisor.Gateway;

/// <summary>
/// One request to the gateway: a worker's Bot API call or file download under its placeholder token.
/// Unknown or dead placeholders get Telegram's 401 and nothing else is forwarded anywhere. A live one
/// is swapped for the real token and the request goes, streamed both ways, to the bot's
/// <c>api_base_url</c> (only while this node holds the bot's lease); the answer keeps Telegram's status
/// and body. getUpdates takes the bot's one poll slot; other calls wait out a <c>retry_after</c> the bot
/// was given. Everything is awaited: a long poll holds a socket and a few objects, no thread.
/// </summary>
public sealed partial class GatewayForwarder
{
    /// <summary>Telegram's upload limit with a local Bot API server (the cloud's is 50 MB).</summary>
    public const long MaxUploadBytes = 2000L * 1024 * 1024;

    /// <summary>Error answers are small JSON; read up to this much of one to see what Telegram said.</summary>
    private const int MaxErrorBody = 64 * 1024;

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
    };

    /// <summary>What a worker's request may carry on to Telegram (never Accept-Encoding: the answer is scanned for the real token).</summary>
    private static readonly string[] ForwardedHeaders = ["Accept", "User-Agent", "Range", "If-None-Match", "If-Modified-Since"];

    private readonly GatewayRegistry _registry;
    private readonly ILeaseFence _fence;
    private readonly HttpMessageInvoker _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<string, string> _record;

    /// <param name="record">Records a gateway event for a bot (bot id, message).</param>
    public GatewayForwarder(GatewayRegistry registry, ILeaseFence fence, HttpMessageInvoker http, ILogger logger, Action<string, string> record)
    {
        _registry = registry;
        _fence = fence;
        _http = http;
        _time = registry.Time;
        _logger = logger;
        _record = record;
        registry.Webhooks = this;
    }

    /// <summary>
    /// The client the gateway forwards with: pooled connections, nothing automatic. Over TLS it asks for HTTP/2
    /// (api.telegram.org speaks it), where the bots' long polls share a few connections (a new one each time a
    /// connection's stream limit is reached) instead of holding one each; a plain http:// <c>api_base_url</c> (a
    /// local <c>telegram-bot-api</c> server) gets HTTP/1.1, a connection per call in flight.
    /// </summary>
    public static HttpMessageInvoker CreateClient() => CreateClient(trustedRoots: null);

    /// <param name="trustedRoots">Roots trusted instead of the system's (a test's HTTPS emulator).</param>
    internal static HttpMessageInvoker CreateClient(X509Certificate2Collection? trustedRoots)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10), // DNS changes are seen
            EnableMultipleHttp2Connections = true,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (trustedRoots is not null)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(trustedRoots);
            handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        }
        return new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public async Task HandleAsync(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        if (!BotApiPath.TryParse(raw, out var path))
        {
            await BotApiAnswers.NotFoundAsync(context).ConfigureAwait(false);
            return;
        }
        if (_registry.Resolve(path.Placeholder) is not { } run)
        {
            await BotApiAnswers.UnauthorizedAsync(context).ConfigureAwait(false);
            return;
        }
        if (_fence.HeldEpoch(run.BotId) is not { } epoch || !run.UnderEpoch(epoch))
        {
            await BotApiAnswers.NotLeaseHolderAsync(context).ConfigureAwait(false);
            return;
        }
        long started = _time.GetTimestamp();
        int status;
        try
        {
            status = await ForwardAsync(context, run, path).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Never left to the server's own error log: a message may hold the upstream URL, and so the real token.
            Log.UpstreamFailed(_logger, run.BotId, path.Method, Clean(ex.Message, run));
            if (context.Response.HasStarted) context.Abort();
            else await BotApiAnswers.BadGatewayAsync(context).ConfigureAwait(false);
            status = 502;
        }
        if (status > 0) run.Bot.Stats.Record(path.Method, status, _time.GetElapsedTime(started));
        if (status == 200) NoteWebhook(run.Bot, path);
    }

    /// <summary>Returns the status the worker was answered with; 0 when it went away (or its run ended) first.</summary>
    private async Task<int> ForwardAsync(HttpContext context, GatewayRun run, BotApiPath path)
    {
        var bot = run.Bot;
        bool isPoll = !path.IsFile && path.Rest.Equals("getUpdates", StringComparison.OrdinalIgnoreCase);
        if (!isPoll && await HoldAsync(context, bot.Flood).ConfigureAwait(false) is { } refused) return refused;

        var ticket = isPoll ? bot.Poll.Enter(run) : null;
        if (isPoll) run.PollStarted();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, ticket?.Token ?? run.Ended);
        try
        {
            using var request = BuildRequest(context, run, path);
            using var response = await _http.SendAsync(request, cancel.Token).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            CopyHeaders(response, context.Response);
            context.Response.StatusCode = status;
            if (status >= 400)
            {
                await AnswerErrorAsync(context, run, path, response, isPoll, cancel.Token).ConfigureAwait(false);
                return status;
            }
            await using var body = await response.Content.ReadAsStreamAsync(cancel.Token).ConfigureAwait(false);
            if (path.IsFile)
            {
                await body.CopyToAsync(context.Response.Body, cancel.Token).ConfigureAwait(false); // a file comes back byte for byte
                return status;
            }
            int updates = await ScrubbingCopy.CopyAsync(body, context.Response.Body, run.Token.Reveal(), run.Placeholder, countUpdates: isPoll, cancel.Token).ConfigureAwait(false);
            if (isPoll && status == 200)
            {
                bot.Stats.Polled(updates);
            }
            return status;
        }
        catch (OperationCanceledException) when (ticket?.Superseded == true && !context.RequestAborted.IsCancellationRequested)
        {
            await BotApiAnswers.SupersededAsync(context).ConfigureAwait(false);
            return 409;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            if (!run.IsLive) context.Abort(); // the run ended: nothing of it is answered any more
            return 0;
        }
        catch (HttpRequestException ex)
        {
            Log.UpstreamFailed(_logger, run.BotId, path.Method, Clean(ex.Message, run));
            if (context.Response.HasStarted)
            {
                context.Abort();
                return 502;
            }
            await BotApiAnswers.BadGatewayAsync(context).ConfigureAwait(false);
            return 502;
        }
        catch (IOException) when (context.Response.HasStarted)
        {
            context.Abort(); // Telegram's answer broke off mid-body: so does ours
            return 502;
        }
        finally
        {
            if (isPoll) run.PollEnded();
            ticket?.Dispose();
        }
    }

    /// <summary>
    /// Waits out the bot's <c>retry_after</c> when that is short (asking again after each wait: another call may
    /// have been given a longer one meanwhile); null to go on, else the status the call was answered with.
    /// </summary>
    private async Task<int?> HoldAsync(HttpContext context, FloodHold flood)
    {
        while (true)
        {
            var decision = flood.Decide();
            switch (decision.Action)
            {
                case FloodAction.Wait:
                    try
                    {
                        await Task.Delay(decision.Delay, _time, context.RequestAborted).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return 0;
                    }
                    finally
                    {
                        flood.Waited();
                    }
                    continue;
                case FloodAction.Refuse:
                    await BotApiAnswers.TooManyRequestsAsync(context, decision.RetryAfter).ConfigureAwait(false);
                    return 429;
                default:
                    return null;
            }
        }
    }

    private static HttpRequestMessage BuildRequest(HttpContext context, GatewayRun run, BotApiPath path)
    {
        var target = string.Concat(run.ApiBaseUrl, path.IsFile ? "/file/bot" : "/bot", run.Token.Reveal(), "/", path.Rest, path.Query);
        var method = context.Request.Method switch
        {
            "GET" => HttpMethod.Get,
            "POST" => HttpMethod.Post,
            "HEAD" => HttpMethod.Head,
            var other => new HttpMethod(other),
        };
        var request = new HttpRequestMessage(method, target)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        var headers = context.Request.Headers;
        foreach (var name in ForwardedHeaders)
        {
            if (headers.TryGetValue(name, out var value)) request.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)value);
        }
        if (context.Request.ContentLength > 0 || headers.ContainsKey("Transfer-Encoding"))
        {
            var content = new StreamContent(context.Request.Body);
            if (context.Request.ContentLength is { } length) content.Headers.ContentLength = length;
            if (headers.ContentType.Count > 0) content.Headers.TryAddWithoutValidation("Content-Type", (IEnumerable<string>)headers.ContentType);
            request.Content = content;
        }
        return request;
    }

    private static void CopyHeaders(HttpResponseMessage from, HttpResponse to)
    {
        foreach (var (name, values) in from.Headers)
        {
            if (!HopByHop.Contains(name)) to.Headers[name] = values.ToArray();
        }
        foreach (var (name, values) in from.Content.Headers)
        {
            to.Headers[name] = values.ToArray();
        }
    }

    /// <summary>
    /// An error answer is read whole (it is small) to learn what Telegram said: a <c>retry_after</c> holds
    /// the bot's calls; a 409 to getUpdates means a poller outside Botvisor. Then it goes to the worker unchanged.
    /// </summary>
    private async Task AnswerErrorAsync(HttpContext context, GatewayRun run, BotApiPath path, HttpResponseMessage response, bool isPoll, CancellationToken cancellationToken)
    {
        var bytes = await ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
        var (retryAfter, description) = Parse(bytes);
        int status = (int)response.StatusCode;
        if (status == 429 && retryAfter is > 0)
        {
            bool fresh = run.Bot.Flood.Remaining <= TimeSpan.Zero;
            run.Bot.Flood.Record(TimeSpan.FromSeconds(retryAfter.Value));
            if (fresh)
            {
                Log.RateLimited(_logger, run.BotId, path.Method, retryAfter.Value);
                _record(run.BotId, $"Telegram answered {path.Method} with 429: retry after {retryAfter}s; the gateway holds the bot's calls until then");
            }
        }
        if (isPoll && status == 409 && description?.Contains("terminated by other getUpdates", StringComparison.Ordinal) == true && run.OutsidePollerSeen())
        {
            Log.OutsidePoller(_logger, run.BotId);
            _record(run.BotId, "a poller outside Botvisor holds this bot's token: Telegram ended the gateway's getUpdates with 409 Conflict (terminated by other getUpdates request); only the gateway polls for this bot's workers");
        }
        Scrub(bytes, run);
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxErrorBody) throw new HttpRequestException($"an error answer longer than {MaxErrorBody} bytes");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static (int? RetryAfter, string? Description) Parse(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null);
            int? retry = root.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object
                && p.TryGetProperty("retry_after", out var r) && r.TryGetInt32(out var seconds) ? seconds : null;
            string? description = root.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            return (retry, description);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static void Scrub(byte[] body, GatewayRun run)
    {
        var secret = Encoding.UTF8.GetBytes(run.Token.Reveal());
        var replacement = Encoding.UTF8.GetBytes(run.Placeholder);
        if (replacement.Length != secret.Length) return; // never shaped differently: placeholders copy the real token's id and length
        int at;
        while ((at = body.AsSpan().IndexOf(secret)) >= 0) replacement.CopyTo(body.AsSpan(at));
    }

    private static string Clean(string message, GatewayRun run) => message.Replace(run.Token.Reveal(), run.Token.Masked, StringComparison.Ordinal);
}
