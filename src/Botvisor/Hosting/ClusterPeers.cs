using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Botvisor.Core.Cluster;

namespace Botvisor.Hosting;

/// <summary>
/// How nodes talk to each other: a command for a bot held by another node (start, stop, restart, logs, and a
/// followed stream of its events) is forwarded to that node's API with the cluster's secret (kept in PostgreSQL, compared in constant time) and
/// the caller's name for its audit log. A forwarded request is never forwarded again.
/// </summary>
public sealed partial class ClusterPeers(ClusterCoordinator coordinator) : IDisposable
{
    public const string FromHeader = "X-Botvisor-Forwarded-By";
    public const string ActorHeader = "X-Botvisor-Actor";

    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(5) }) { Timeout = Timeout.InfiniteTimeSpan };
    private byte[]? _secret;

    public void SetSecret(string secret) => _secret = Encoding.UTF8.GetBytes(secret);

    /// <summary>The peer's node name when the request carries the cluster's secret; otherwise null.</summary>
    public string? Authenticate(HttpRequest request)
    {
        if (_secret is not { } secret) return null;
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || request.Headers[FromHeader].ToString() is not { Length: > 0 } from) return null;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[7..].Trim()), secret) ? from : null;
    }

    [GeneratedRegex("^/bots/(?<id>[^/]+)/(start|stop|restart|logs)$")]
    private static partial Regex Forwardable();

    /// <summary>The node to forward this request to, with its address; null when this node answers it.</summary>
    public (string Node, string Address)? Target(HttpRequest request)
    {
        if (_secret is null || request.Headers.ContainsKey(FromHeader)) return null;
        string id;
        if (Forwardable().Match(request.Path.Value ?? "") is { Success: true } match) id = Uri.UnescapeDataString(match.Groups["id"].Value);
        // A bot's events as they happen are its node's (every node's stored events are in the database: the backlog is the same anywhere).
        else if (request.Path.Equals("/events", StringComparison.Ordinal) && request.Query["bot"].ToString() is { Length: > 0 } bot && request.Query["follow"] != "false") id = bot;
        else return null;
        if (coordinator.HolderOf(id) is not { } holder || holder == coordinator.Self.Name || coordinator.AddressOf(holder) is not { } address) return null;
        return (holder, address);
    }

    /// <summary>Makes <paramref name="message"/> a request of this node to another, on behalf of <paramref name="actor"/> (never forwarded again).</summary>
    public void Authorize(HttpRequestMessage message, string actor)
    {
        var secret = _secret ?? throw new InvalidOperationException("the cluster's secret is not known yet");
        message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Encoding.UTF8.GetString(secret));
        message.Headers.Add(FromHeader, coordinator.Self.Name);
        message.Headers.Add(ActorHeader, actor);
    }

    /// <summary>Whether another node sent this request: it is answered from this node's own view, never passed on.</summary>
    public static bool FromPeer(HttpRequest request) => request.Headers.ContainsKey(FromHeader);

    /// <summary>Sends the request to <paramref name="address"/> and copies the answer back as it comes (a followed log streams).</summary>
    public async Task ForwardAsync(HttpContext context, string node, string address, string actor)
    {
        var request = context.Request;
        var target = new Uri(new Uri(address), request.Path + request.QueryString);
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), target);
        Authorize(message, actor);
        if (request.Headers.Accept.Count > 0) message.Headers.TryAddWithoutValidation("Accept", request.Headers.Accept.ToString());
        if (request.ContentLength > 0 || request.Headers.ContainsKey("Transfer-Encoding")) message.Content = new StreamContent(request.Body);
        HttpResponseMessage answer;
        try
        {
            answer = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            await Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Bad gateway",
                detail: $"the bot runs on node {node} ({address}), which did not answer: {ex.Message}").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        using (answer)
        {
            context.Response.StatusCode = (int)answer.StatusCode;
            context.Response.Headers["X-Botvisor-Node"] = node;
            if (answer.Content.Headers.ContentType is { } type) context.Response.ContentType = type.ToString();
            if (answer.Headers.CacheControl is { } cache) context.Response.Headers.CacheControl = cache.ToString();
            if (answer.Headers.TryGetValues("X-Accel-Buffering", out var buffering)) context.Response.Headers["X-Accel-Buffering"] = buffering.ToArray();
            // A stream that is quiet for now (a bot's events, a followed log) is open at once.
            await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            await using var body = await answer.Content.ReadAsStreamAsync(context.RequestAborted).ConfigureAwait(false);
            var buffer = new byte[16 * 1024];
            int n;
            try
            {
                while ((n = await body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
                {
                    await context.Response.Body.WriteAsync(buffer.AsMemory(0, n), context.RequestAborted).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
            }
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>Forwards what <see cref="ClusterPeers.Target"/> says belongs to another node (after authentication: the caller is known).</summary>
public sealed class ClusterForwardingMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.RequestServices.GetService<ClusterPeers>() is { } peers && peers.Target(context.Request) is var (node, address))
        {
            return peers.ForwardAsync(context, node, address, Api.Auth.ApiCaller.Get(context));
        }
        return next(context);
    }
}
