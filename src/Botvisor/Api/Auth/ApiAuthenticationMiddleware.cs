using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Botvisor.Api.Problems;
using Microsoft.AspNetCore.Connections.Features;

namespace Botvisor.Api.Auth;

/// <summary>
/// Decides who a request comes from, once, before any endpoint runs. Requests on the daemon's Unix
/// socket (reachable only through file permissions) are the local user who connected; <c>/health</c>
/// is open; <c>/metrics</c> is open when configured; everything else on TCP needs a bearer token
/// (compared in constant time). With no token configured, TCP serves nothing else at all: a
/// loopback port is reachable by every user of the machine, and the daemon usually runs as root, so
/// control without a token is the Unix socket's alone.
/// </summary>
public sealed class ApiAuthenticationMiddleware(RequestDelegate next, ApiSecurityOptions options, string socketPath)
{
    private readonly (string Name, byte[] Secret)[] _tokens =
        options.Tokens.Select(kv => (kv.Key, Encoding.UTF8.GetBytes(kv.Value))).ToArray();

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
            || (options.PublicMetrics && path.Equals("/metrics", StringComparison.OrdinalIgnoreCase)))
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

        if (!options.RequiresToken)
        {
            return ApiProblems.Unauthorized(context,
                $"no API token is configured, so the daemon takes requests only on its local socket {socketPath} (the CLI on this machine uses it); set BOTVISOR_API_TOKEN or api.tokens to use the API over TCP");
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var presented = Encoding.UTF8.GetBytes(header[7..].Trim());
            foreach (var (name, secret) in _tokens)
            {
                if (CryptographicOperations.FixedTimeEquals(presented, secret))
                {
                    ApiCaller.Set(context, "token:" + name);
                    return next(context);
                }
            }
            return ApiProblems.Unauthorized(context, "the bearer token is not valid");
        }
        return ApiProblems.Unauthorized(context, "this endpoint needs 'Authorization: Bearer <token>' (BOTVISOR_TOKEN for the CLI)");
    }
}
