using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Botvisor.Api.Problems;
using Microsoft.AspNetCore.Connections.Features;

namespace Botvisor.Api.Auth;

/// <summary>
/// Decides who a request comes from, once, before any endpoint runs. Requests on the daemon's Unix
/// socket (reachable only through file permissions) are the local user who connected; <c>/health</c>
/// is open; <c>/metrics</c> is open when configured; everything else needs a bearer token when any is
/// configured (compared in constant time). Without tokens the daemon listens on loopback only.
/// </summary>
public sealed class ApiAuthenticationMiddleware(RequestDelegate next, ApiSecurityOptions options)
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

        if (!options.RequiresToken)
        {
            ApiCaller.Set(context, "loopback");
            return next(context);
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
