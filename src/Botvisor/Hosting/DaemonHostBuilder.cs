using Botvisor.Core.Logs;
using Botvisor.Core.Reconciliation;
using Botvisor.Core.State;
using Botvisor.Core.Storage;
using Botvisor.Core.Supervision;
using Botvisor.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Botvisor.Hosting;

/// <summary>Builds the Generic Host that <c>botvisor run</c> runs.</summary>
public static class DaemonHostBuilder
{
    public static IHost Build(DaemonOptions options)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = Path.GetDirectoryName(options.ConfigPath),
        });

        ConfigureLogging(builder.Logging, options.LogFormat);
        builder.Services.Configure<HostOptions>(o =>
        {
            // Each bot is bounded by its own stop_timeout and SIGKILL; the host must not give up on them first.
            o.ShutdownTimeout = TimeSpan.FromHours(1);
            o.ServicesStartConcurrently = false;
        });
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<FleetStateService>();
        services.AddSingleton<TokenMasker>();
        services.AddSingleton<IFleetStore>(_ => new SqliteFleetStore(options.DatabasePath));
        services.AddSingleton<StoreWriter>();
        services.AddSingleton(sp => new ChildReaper(sp.GetRequiredService<ILogger<ChildReaper>>()));
        services.AddSingleton(sp => new SupervisorServices
        {
            Reaper = sp.GetRequiredService<ChildReaper>(),
            State = sp.GetRequiredService<FleetStateService>(),
            Store = sp.GetRequiredService<StoreWriter>(),
            Masker = sp.GetRequiredService<TokenMasker>(),
            Time = sp.GetRequiredService<TimeProvider>(),
            LoggerFactory = sp.GetRequiredService<ILoggerFactory>(),
            LogDirectory = options.LogDirectory,
            FleetTokens = () => sp.GetRequiredService<FleetReconciler>().FleetTokens,
        });
        services.AddSingleton<FleetReconciler>();
        services.AddSingleton<FleetController>();
        services.AddSingleton<FleetDaemonService>();
        services.AddHostedService(sp => sp.GetRequiredService<FleetDaemonService>());
        return builder.Build();
    }

    private static void ConfigureLogging(ILoggingBuilder logging, string format)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
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
