using System.Net;
using Botvisor.Api;
using Botvisor.Api.Auth;
using Botvisor.Api.Contracts;
using Botvisor.Api.Endpoints;
using Botvisor.Core.Diagnostics;
using Botvisor.Core.Health;
using Botvisor.Health;
using Botvisor.Core.Logs;
using Botvisor.Core.Reconciliation;
using Botvisor.Core.State;
using Botvisor.Core.Storage;
using Botvisor.Core.Supervision;
using Botvisor.Core.Telegram;
using Botvisor.Storage.Sqlite;
using Botvisor.Telegram;
using Microsoft.Extensions.Logging.Console;
using Scalar.AspNetCore;

namespace Botvisor.Hosting;

/// <summary>Builds the daemon: the supervision core, the store, and the HTTP API on a TCP port and a Unix socket.</summary>
public static class DaemonHostBuilder
{
    public static WebApplication Build(DaemonOptions options, DaemonSignals signals)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = Path.GetDirectoryName(options.ConfigPath),
            // The default configuration would watch appsettings*.json with a FileSystemWatcher over the
            // whole content root, subdirectories included: the fleet file's directory and, with the default
            // state directory, every bot's log file, waking the daemon on each write a bot's output causes.
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Configuration.Sources.Clear();

        ConfigureLogging(builder.Logging, options.LogFormat);
        builder.Services.Configure<HostOptions>(o =>
        {
            // Each bot is bounded by its own stop_timeout and SIGKILL; the host must not give up on them first.
            o.ShutdownTimeout = TimeSpan.FromHours(1);
        });
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);

        ConfigureKestrel(builder, options);
        AddCore(builder.Services, options, signals);
        AddApi(builder.Services);

        var app = builder.Build();
        app.UseMiddleware<ShutdownEndsRequestsMiddleware>(); // a followed stream does not hold the daemon's exit
        app.UseStatusCodePages(); // empty error responses (unknown route, 405, 415) become problem details too
        app.UseMiddleware<ApiAuthenticationMiddleware>(options.SocketPath);
        if (options.Cluster is not null) app.UseMiddleware<ClusterForwardingMiddleware>(); // a bot held by another node: its node answers
        MapEndpoints(app);
        return app;
    }

    private static void ConfigureKestrel(WebApplicationBuilder builder, DaemonOptions options)
    {
        var uri = new Uri(options.Listen);
        var address = uri.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(uri.Host.Trim('[', ']'));
        if (File.Exists(options.SocketPath)) File.Delete(options.SocketPath); // stale: we hold the state directory's lock
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = ApiConventions.MaxBodyBytes;
            k.Listen(address, uri.Port);
            k.ListenUnixSocket(options.SocketPath);
        });
    }

    private static void AddCore(IServiceCollection services, DaemonOptions options, DaemonSignals signals)
    {
        services.AddSingleton(options);
        services.AddSingleton(SystemdNotifier.FromEnvironment());
        services.AddSingleton(signals);
        services.AddSingleton(options.Security);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<DaemonClock>();
        services.AddSingleton<FleetStateService>();
        services.AddSingleton<TokenMasker>();
        if (options.Cluster is null) services.AddSingleton<IFleetStore>(_ => new SqliteFleetStore(options.DatabasePath));
        services.AddSingleton<StoreWriter>();
        services.AddSingleton(sp => new EventPruner(sp.GetRequiredService<IFleetStore>(), sp.GetRequiredService<StoreWriter>(), options.Events,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EventPruner>>()));
        services.AddSingleton<EventFeed>();
        services.AddSingleton<OutputReader>();
        services.AddSingleton(sp => new ChildReaper(sp.GetRequiredService<ILogger<ChildReaper>>()));
        services.AddSingleton(_ => Core.Cgroups.CgroupTree.Open(options.Cgroups, options.CgroupTreeName));
        services.AddSingleton(sp => new SupervisorServices
        {
            Reaper = sp.GetRequiredService<ChildReaper>(),
            State = sp.GetRequiredService<FleetStateService>(),
            Store = sp.GetRequiredService<StoreWriter>(),
            Masker = sp.GetRequiredService<TokenMasker>(),
            Output = sp.GetRequiredService<OutputReader>(),
            Time = sp.GetRequiredService<TimeProvider>(),
            LoggerFactory = sp.GetRequiredService<ILoggerFactory>(),
            LogDirectory = options.LogDirectory,
            FleetTokens = () => sp.GetRequiredService<FleetReconciler>().FleetTokens,
            Telegram = sp.GetRequiredService<ITelegramApi>(),
            Notify = sp.GetRequiredService<NotifyRouter>(),
            NotifySocketPath = options.NotifySocketPath,
            NotifyAbstractAddress = "@" + options.NotifyAbstractName,
            WorkerMark = options.WorkerMark,
            Checks = sp.GetRequiredService<CheckScheduler>(),
            HttpProbe = sp.GetRequiredService<IHttpProbe>(),
            Cgroups = sp.GetRequiredService<Core.Cgroups.CgroupSupport>().Tree,
            Gateway = sp.GetRequiredService<Core.Gateway.GatewayRegistry>(),
            Leases = sp.GetService<Core.Cluster.LocalLeases>(),
            LeaseHolder = id => sp.GetService<Core.Cluster.ClusterCoordinator>()?.HolderOf(id),
        });
        Gateway.GatewayServices.Add(services); // before the fleet's service: the gateway listens before any bot starts
        services.AddSingleton<NotifyRouter>();
        services.AddSingleton(sp => new CheckScheduler(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IHttpProbe, HttpHealthProbe>();
        services.AddSingleton<ResourceSampler>();
        services.AddSingleton<ITelegramApi, HttpTelegramApi>();
        services.AddSingleton(sp => new FleetReconciler(sp.GetRequiredService<SupervisorServices>())
        {
            DaemonTokens = options.Admin is { } admin ? [admin.Token] : [],
        });
        services.AddSingleton<Core.Sources.Remote.IFeedClient, Sources.HttpFeedClient>();
        services.AddSingleton<FleetController>();
        services.AddSingleton<BotNodes>();
        AdminBot.AdminBotSetup.AddAlertsAndAdminBot(services, options); // before the fleet's service: subscribed before the first event
        services.AddSingleton<FleetDaemonService>();
        services.AddHostedService(sp => sp.GetRequiredService<FleetDaemonService>());
        if (options.Cluster is { } cluster) ClusterHosting.Add(services, options, cluster); // after the daemon service: started after it, stopped before it
    }

    private static void AddApi(IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        });
        services.AddProblemDetails();
        services.AddOpenApi("v1", o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info = new() { Title = "Botvisor API", Version = "v1", Description = "Manage a fleet of Telegram bots. Bearer token on everything but /health." };
            return Task.CompletedTask;
        }));
        services.AddSingleton<MetricsEndpoint>();
        services.AddSingleton<ApiTokenMatcher>();
        services.AddSingleton<Dashboard.DashboardSessions>();
        services.AddSingleton<Dashboard.DashboardAssets>();
    }

    private static void MapEndpoints(WebApplication app)
    {
        HealthEndpoints.Map(app);
        StatusEndpoints.Map(app);
        BotEndpoints.Map(app);
        LogEndpoints.Map(app);
        EventEndpoints.Map(app);
        DaemonEndpoints.Map(app);
        NodeEndpoints.Map(app);
        SourceEndpoints.Map(app);
        AlertEndpoints.Map(app);
        MetricsEndpoint.Map(app);
        DefinitionEndpoints.Map(app);
        Dashboard.DashboardEndpoints.Map(app);
        app.MapOpenApi("/schema");
        // An offline daemon's docs: no AI chat, no MCP, no developer toolbar (Deploy, Generate SDK), no telemetry, no fonts from a CDN.
        app.MapScalarApiReference("/ui", o => o.WithTitle("Botvisor API").WithOpenApiRoutePattern("/schema")
            .DisableAgent().DisableMcp().HideDeveloperTools().DisableTelemetry().DisableDefaultFonts()
            .WithJavaScriptConfiguration("/assets/scalar-config.js")); // a dashboard session's CSRF token on the requests tried there
    }

    private static void ConfigureLogging(ILoggingBuilder logging, string format)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        if (format == "json")
        {
            logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffK";
                o.UseUtcTimestamp = true;
                o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
                o.ColorBehavior = Console.IsOutputRedirected ? LoggerColorBehavior.Disabled : LoggerColorBehavior.Default;
            });
        }
    }
}
