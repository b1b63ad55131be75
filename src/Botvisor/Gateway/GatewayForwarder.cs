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
/// <c>api_base_url</c> (only while this node holds the bot's lease, checked again right before the call
/// leaves, and cancelled in flight when the lease goes); the answer keeps Telegram's status and body, with
/// the real token replaced in every header and body (a redirect is never passed on). getUpdates takes the
/// token's one poll slot and is bounded by its own timeout; other calls wait their turn under a
/// <c>retry_after</c> the token was given. Whatever fails upstream is answered in Telegram's shape (502,
/// 504) and logged. Everything is awaited: a long poll holds a socket and a few objects, no thread.
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

    /// <summary>Each live run's scrubber, made at its first answer and gone with the run.</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<GatewayRun, TokenScrub> _scrubs = new();

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

    /// <summary>How long past its own <c>timeout</c> a getUpdates may take upstream before it is given up (a half-open connection).</summary>
    public TimeSpan PollMargin { get; init; } = TimeSpan.FromSeconds(15);

    public async Task HandleAsync(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        if (!BotApiPath.TryParse(raw, out var path))
        {
            await BotApiAnswers.NotFoundAsync(context).ConfigureAwait(false);
            return;
        }
        if (!IsForwarded(context.Request.Method, path.IsFile))
        {
            await BotApiAnswers.MethodNotAllowedAsync(context, path.IsFile).ConfigureAwait(false);
            return;
        }
        if (_registry.Resolve(path.Placeholder) is not { } run)
        {
            await BotApiAnswers.UnauthorizedAsync(context).ConfigureAwait(false);
            return;
        }
        if (!MayAct(run))
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
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            // Never left to the server's own error log (nor answered with its empty 500): a message may hold
            // the upstream URL, and so the real token.
            Log.UpstreamFailed(_logger, run.BotId, path.Method, Clean(ex.Message, run));
            status = ex is OperationCanceledException ? 504 : 502;
            await (status == 504 ? BotApiAnswers.GatewayTimeoutAsync(context) : BotApiAnswers.BadGatewayAsync(context)).ConfigureAwait(false);
        }
        if (status > 0) run.Bot.Stats.Record(path.Method, status, _time.GetElapsedTime(started));
        if (status == 200) NoteWebhook(run.Bot, path);
    }

    /// <summary>GET and POST for methods, GET and HEAD for files: no other verb goes upstream with the real token.</summary>
    private static bool IsForwarded(string method, bool isFile) =>
        HttpMethods.IsGet(method) || (isFile ? HttpMethods.IsHead(method) : HttpMethods.IsPost(method));

    /// <summary>This node holds the bot's lease now (renew deadline not passed, on the monotonic clock) under the run's epoch.</summary>
    private bool MayAct(GatewayRun run) => _fence.HeldEpoch(run.BotId) is { } epoch && run.UnderEpoch(epoch);

    /// <summary>Returns the status the worker was answered with; 0 when it went away (or its run ended) first.</summary>
    private async Task<int> ForwardAsync(HttpContext context, GatewayRun run, BotApiPath path)
    {
        var line = run.Line;
        bool isPoll = !path.IsFile && path.Rest.Equals("getUpdates", StringComparison.OrdinalIgnoreCase);
        var tenure = _fence.Tenure(run.BotId);
        using var held = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, run.Ended, tenure);
        if (!isPoll && await HoldAsync(context, line.Flood, held.Token).ConfigureAwait(false) is { } refused)
        {
            if (refused != 0) return refused;
            return await EndedAsync(context, run, tenure).ConfigureAwait(false);
        }
        // Again, right before the call leaves: a held call must not reach Telegram once the lease is gone.
        if (!MayAct(run) || tenure.IsCancellationRequested)
        {
            await BotApiAnswers.NotLeaseHolderAsync(context).ConfigureAwait(false);
            return 503;
        }

        byte[]? pollBody = null;
        int? pollTimeout = null;
        if (isPoll)
        {
            (pollBody, pollTimeout, bool tooLarge) = await ReadPollAsync(context, path, held.Token).ConfigureAwait(false);
            if (tooLarge)
            {
                await BotApiAnswers.ErrorAsync(context, 413, "Request Entity Too Large").ConfigureAwait(false);
                return 413;
            }
        }
        var ticket = isPoll ? line.Poll.Enter(run) : null;
        if (isPoll && ticket is null)
        {
            await BotApiAnswers.UnauthorizedAsync(context).ConfigureAwait(false); // the run was revoked meanwhile
            return 401;
        }
        if (isPoll) run.PollStarted();
        using var bound = pollTimeout is { } seconds ? new CancellationTokenSource(TimeSpan.FromSeconds(Math.Max(0, seconds)) + PollMargin, _time) : null;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(held.Token, ticket?.Token ?? CancellationToken.None, bound?.Token ?? CancellationToken.None);
        try
        {
            using var request = BuildRequest(context, run, path, pollBody);
            using var response = await _http.SendAsync(request, cancel.Token).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            var scrub = _scrubs.GetValue(run, r => new TokenScrub(r.Token.Reveal(), r.Placeholder));
            if (status is >= 300 and < 400 and not 304)
            {
                var location = response.Headers.Location?.OriginalString ?? "(none)";
                Log.UpstreamFailed(_logger, run.BotId, path.Method, $"the Bot API server answered {status} with a redirect to {Clean(location, run)}; the gateway does not follow or pass on redirects");
                await BotApiAnswers.RedirectedAsync(context).ConfigureAwait(false);
                return 502;
            }
            CopyHeaders(response, context.Response, scrub);
            context.Response.StatusCode = status;
            if (status >= 400)
            {
                await AnswerErrorAsync(context, run, path, response, isPoll, scrub, cancel.Token).ConfigureAwait(false);
                return status;
            }
            await using var body = await response.Content.ReadAsStreamAsync(cancel.Token).ConfigureAwait(false);
            if (path.IsFile)
            {
                await body.CopyToAsync(context.Response.Body, cancel.Token).ConfigureAwait(false); // a file comes back byte for byte
                return status;
            }
            int updates = await ScrubbingCopy.CopyAsync(body, context.Response.Body, scrub, countUpdates: isPoll, cancel.Token).ConfigureAwait(false);
            if (isPoll && status == 200)
            {
                run.Bot.Stats.Polled(updates);
            }
            return status;
        }
        catch (OperationCanceledException) when (ticket?.Superseded == true && !context.RequestAborted.IsCancellationRequested)
        {
            await BotApiAnswers.SupersededAsync(context).ConfigureAwait(false); // aborts instead when part of the answer went out
            return 409;
        }
        catch (OperationCanceledException) when (held.IsCancellationRequested)
        {
            return await EndedAsync(context, run, tenure).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (bound?.IsCancellationRequested == true)
        {
            Log.UpstreamFailed(_logger, run.BotId, path.Method, $"Telegram did not answer within the poll's timeout ({pollTimeout}s) and {PollMargin.TotalSeconds:0}s more; the call was given up");
            await BotApiAnswers.GatewayTimeoutAsync(context).ConfigureAwait(false);
            return 504;
        }
        catch (OperationCanceledException ex)
        {
            // Not ours: the client's own timeout, such as its connect timeout.
            Log.UpstreamFailed(_logger, run.BotId, path.Method, Clean(ex.Message, run));
            await BotApiAnswers.GatewayTimeoutAsync(context).ConfigureAwait(false);
            return 504;
        }
        catch (HttpRequestException ex)
        {
            Log.UpstreamFailed(_logger, run.BotId, path.Method, Clean(ex.Message, run));
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
    /// A call was cancelled by its run's end, the lease's end, or its client: the run's end gets nothing (the
    /// connection is closed), the lease's end gets Telegram-shaped 503 (or an abort once answering started).
    /// </summary>
    private static async Task<int> EndedAsync(HttpContext context, GatewayRun run, CancellationToken tenure)
    {
        if (context.RequestAborted.IsCancellationRequested) return 0;
        if (!run.IsLive)
        {
            context.Abort(); // the run ended: nothing of it is answered any more
            return 0;
        }
        if (tenure.IsCancellationRequested)
        {
            await BotApiAnswers.NotLeaseHolderAsync(context).ConfigureAwait(false);
            return 503;
        }
        return 0;
    }

    /// <summary>
    /// A getUpdates' body (small; read whole, so its <c>timeout</c> can bound the call upstream) and that timeout;
    /// too large when it is longer than any getUpdates (it is then refused with 413).
    /// </summary>
    private static async Task<(byte[]? Body, int? Timeout, bool TooLarge)> ReadPollAsync(HttpContext context, BotApiPath path, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (request.ContentLength is > PollTimeout.MaxBody) return (null, null, true);
        if (request.ContentLength is null or 0 && !request.Headers.ContainsKey("Transfer-Encoding")) return (null, PollTimeout.Read(path.Query, null, default), false);
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > PollTimeout.MaxBody) return (null, null, true);
        }
        var body = buffer.ToArray();
        bool encoded = request.Headers.ContentEncoding.Count > 0;
        return (body, encoded ? null : PollTimeout.Read(path.Query, request.ContentType, body), false);
    }

    /// <summary>
    /// Waits for the call's turn under the token's <c>retry_after</c> when that is near (asking again when a newer
    /// 429 came meanwhile); null to go on, 0 when the call was cancelled while held, else the status it was answered with.
    /// </summary>
    private async Task<int?> HoldAsync(HttpContext context, FloodHold flood, CancellationToken cancellationToken)
    {
        while (true)
        {
            var decision = flood.Decide();
            switch (decision.Action)
            {
                case FloodAction.Wait:
                    bool go;
                    try
                    {
                        await Task.Delay(decision.Delay, _time, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        flood.Waited(decision);
                        return 0;
                    }
                    go = flood.Waited(decision);
                    if (go) return null;
                    continue;
                case FloodAction.Refuse:
                    await BotApiAnswers.TooManyRequestsAsync(context, decision.RetryAfter).ConfigureAwait(false);
                    return 429;
                default:
                    return null;
            }
        }
    }

    private static HttpRequestMessage BuildRequest(HttpContext context, GatewayRun run, BotApiPath path, byte[]? body)
    {
        // A local server's absolute file path names the bot's directory by its token: the worker saw the placeholder there.
        var rest = path.IsFile ? Unscrub(path.Rest, run) : path.Rest;
        var target = string.Concat(run.ApiBaseUrl, path.IsFile ? "/file/bot" : "/bot", run.Token.Reveal(), "/", rest, path.Query);
        var method = context.Request.Method switch
        {
            "GET" => HttpMethod.Get,
            "POST" => HttpMethod.Post,
            _ => HttpMethod.Head, // nothing else gets here
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
        if (body is not null || context.Request.ContentLength > 0 || headers.ContainsKey("Transfer-Encoding"))
        {
            HttpContent content = body is not null ? new ByteArrayContent(body) : new StreamContent(context.Request.Body);
            if (body is null && context.Request.ContentLength is { } length) content.Headers.ContentLength = length;
            if (headers.ContentType.Count > 0) content.Headers.TryAddWithoutValidation("Content-Type", (IEnumerable<string>)headers.ContentType);
            // The body goes on as it came: encoded bodies keep saying how.
            if (headers.ContentEncoding.Count > 0) content.Headers.TryAddWithoutValidation("Content-Encoding", (IEnumerable<string>)headers.ContentEncoding);
            request.Content = content;
        }
        return request;
    }

    /// <summary>Every header but the hop-by-hop ones, with the real token replaced in every value (a Link, a Content-Location, a proxy's own headers).</summary>
    private static void CopyHeaders(HttpResponseMessage from, HttpResponse to, TokenScrub scrub)
    {
        foreach (var (name, values) in from.Headers)
        {
            if (!HopByHop.Contains(name)) to.Headers[name] = values.Select(scrub.Apply).ToArray();
        }
        foreach (var (name, values) in from.Content.Headers)
        {
            to.Headers[name] = values.Select(scrub.Apply).ToArray();
        }
    }

    /// <summary>
    /// An error answer is read whole (it is small) to learn what Telegram said: a <c>retry_after</c> holds
    /// the bot's calls; a 409 to getUpdates means a poller outside Botvisor. Then it goes to the worker unchanged.
    /// </summary>
    private async Task AnswerErrorAsync(HttpContext context, GatewayRun run, BotApiPath path, HttpResponseMessage response, bool isPoll, TokenScrub scrub, CancellationToken cancellationToken)
    {
        var bytes = await ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
        var (retryAfter, description) = Parse(bytes);
        int status = (int)response.StatusCode;
        if (status == 429 && retryAfter is > 0)
        {
            bool fresh = run.Line.Flood.Remaining <= TimeSpan.Zero;
            run.Line.Flood.Record(TimeSpan.FromSeconds(retryAfter.Value));
            if (fresh)
            {
                Log.RateLimited(_logger, run.BotId, path.Method, retryAfter.Value);
                _record(run.BotId, $"Telegram answered {path.Method} with 429: retry after {retryAfter}s; the gateway holds the bot's calls until then");
            }
        }
        // Not while the lease is going: then the other poller is the node that holds it now.
        if (isPoll && status == 409 && description?.Contains("terminated by other getUpdates", StringComparison.Ordinal) == true && MayAct(run) && run.OutsidePollerSeen())
        {
            Log.OutsidePoller(_logger, run.BotId);
            _record(run.BotId, "a poller outside Botvisor holds this bot's token: Telegram ended the gateway's getUpdates with 409 Conflict (terminated by other getUpdates request); only the gateway polls for this bot's workers");
        }
        scrub.Apply(bytes);
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

    /// <summary>The placeholder (plain or with its colon percent-encoded) back to the real token, in a file path bound upstream.</summary>
    private static string Unscrub(string filePath, GatewayRun run)
    {
        if (!filePath.Contains(run.Placeholder[(run.Placeholder.IndexOf(':', StringComparison.Ordinal) + 1)..], StringComparison.Ordinal)) return filePath;
        var real = run.Token.Reveal();
        foreach (var colon in TokenScrub.Colons)
        {
            filePath = filePath.Replace(run.Placeholder.Replace(":", colon, StringComparison.Ordinal), real.Replace(":", colon, StringComparison.Ordinal), StringComparison.Ordinal);
        }
        return filePath;
    }

    private static string Clean(string message, GatewayRun run)
    {
        var real = run.Token.Reveal();
        foreach (var colon in TokenScrub.Colons)
        {
            message = message.Replace(real.Replace(":", colon, StringComparison.Ordinal), run.Token.Masked, StringComparison.Ordinal);
        }
        return message;
    }
}
