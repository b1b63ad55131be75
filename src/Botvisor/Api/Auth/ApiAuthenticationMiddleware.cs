using System.Net.Sockets;
using Botvisor.Api.Problems;
using Botvisor.Dashboard;
using Microsoft.AspNetCore.Connections.Features;

namespace Botvisor.Api.Auth;

/// <summary>
/// Decides who a request comes from, once, before any endpoint runs. Requests on the daemon's Unix
/// socket (reachable only through file permissions) are the local user who connected; <c>/health</c>
/// is open; <c>/metrics</c> is open when configured; everything else on TCP needs a bearer token
/// (compared in constant time). With no token configured, TCP serves nothing else at all: a
/// loopback port is reachable by every user of the machine, and the daemon usually runs as root, so
/// control without a token is the Unix socket's alone. The web dashboard's files and login form are
/// open too (they hold no data); a dashboard session (its cookie, and its second secret on every
/// request: <see cref="SessionAuthentication"/>) stands for the token or local user that signed it in,
/// and without any token the only way to a session is a one-time link that <c>botvisor ui</c> asks for
/// on the Unix socket.
/// </summary>
public sealed class ApiAuthenticationMiddleware(RequestDelegate next, ApiSecurityOptions options, ApiTokenMatcher tokens, DashboardSessions sessions, string socketPath)
{
    public Task InvokeAsync(HttpContext context)
    {
        var socket = context.Features.Get<IConnectionSocketFeature>()?.Socket;
        if (socket?.AddressFamily == AddressFamily.Unix)
        {
            ApiCaller.Set(context, "unix:" + (PeerCredentials.Describe(socket) ?? "unknown"));
            return next(context);
        }

        var path = context.Request.Path;
        if (path.Equals("/health", StringComparison.OrdinalIgnoreCase)
            || (options.PublicMetrics && path.Equals("/metrics", StringComparison.OrdinalIgnoreCase))
            || SessionAuthentication.IsPublic(context.Request))
        {
            ApiCaller.Set(context, "anonymous");
            return next(context);
        }

        if (context.RequestServices.GetService<Hosting.ClusterPeers>()?.Authenticate(context.Request) is { } node)
        {
            // Another node of the cluster, forwarding a command for a bot this node runs: audited as its caller, via the node.
            string actor = context.Request.Headers[Hosting.ClusterPeers.ActorHeader].ToString();
            ApiCaller.Set(context, $"{(actor.Length is > 0 and <= 200 ? actor : "unknown")} via node {node}");
            return next(context);
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length == 0 && SessionAuthentication.Find(context, sessions) is { } session)
        {
            if (SessionAuthentication.Refusal(context, session) is { } refused) return refused;
            SessionAuthentication.Attach(context, session);
            ApiCaller.Set(context, session.Actor);
            return next(context);
        }

        if (header.Length == 0 && SessionAuthentication.IsPageNavigation(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status303SeeOther;
            context.Response.Headers.Location = SessionAuthentication.LoginRedirect(context.Request);
            return Task.CompletedTask;
        }

        if (!options.RequiresToken)
        {
            return ApiProblems.Unauthorized(context,
                $"no API token is configured, so the daemon takes requests only on its local socket {socketPath} (the CLI on this machine uses it); set BOTVISOR_API_TOKEN or api.tokens to use the API over TCP");
        }

        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            if (tokens.Match(header[7..]) is { } name)
            {
                ApiCaller.Set(context, "token:" + name);
                return next(context);
            }
            return ApiProblems.Unauthorized(context, "the bearer token is not valid");
        }
        return ApiProblems.Unauthorized(context, "this endpoint needs 'Authorization: Bearer <token>' (BOTVISOR_TOKEN for the CLI)");
    }
}
