using System.Net;
using Botvisor.Core.Diagnostics;
using Botvisor.Core.Gateway;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace Botvisor.Gateway;

/// <summary>
/// The gateway's own listener: a Kestrel server on a free loopback port, apart from the API's, started
/// before any bot (workers get its URL at spawn) and stopped after the last. Nothing of the API is
/// reachable through it and it is never on another interface, whatever the API's <c>--listen</c> is;
/// every request goes to <see cref="GatewayForwarder"/>.
/// </summary>
public sealed partial class GatewayHost : IHostedService, IDisposable
{
    private readonly GatewayRegistry _registry;
    private readonly GatewayForwarder _forwarder;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private KestrelServer? _server;

    public GatewayHost(GatewayRegistry registry, GatewayForwarder forwarder, IServiceProvider services, ILoggerFactory loggerFactory)
    {
        _registry = registry;
        _forwarder = forwarder;
        _services = services;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<GatewayHost>();
        BotvisorMetrics.ObserveGateway(registry);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = new KestrelServerOptions { ApplicationServices = _services, AddServerHeader = false };
        options.Limits.MaxRequestBodySize = GatewayForwarder.MaxUploadBytes;
        options.Listen(IPAddress.Loopback, 0);
        var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), _loggerFactory);
        _server = new KestrelServer(Options.Create(options), transport, _loggerFactory);
        await _server.StartAsync(new Application(_forwarder.HandleAsync), cancellationToken).ConfigureAwait(false);
        var address = _server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("the gateway's listener has no address");
        _registry.BaseUrl = address.TrimEnd('/');
        Log.Listening(_logger, _registry.BaseUrl);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _server?.Dispose();

    /// <summary>Kestrel's contexts, straight to the forwarder: no routing, no middleware, no DI scope per request.</summary>
    private sealed class Application(RequestDelegate handler) : IHttpApplication<HttpContext>
    {
        public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

        public Task ProcessRequestAsync(HttpContext context) => handler(context);

        public void DisposeContext(HttpContext context, Exception? exception)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEventIds.GatewayListening, Level = LogLevel.Information, Message = "Bot API gateway listening on {Address} (loopback only; workers of gateway bots get it as TELEGRAM_API_BASE_URL)")]
        public static partial void Listening(ILogger logger, string address);
    }
}
