using System.CommandLine;
using Botvisor.Core.Configuration;
using Botvisor.Core.Storage;
using Botvisor.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Botvisor.Cli.Commands;

/// <summary><c>botvisor run</c>: the daemon, in the foreground, until SIGINT or SIGTERM.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var command = new Command("run", "Run the supervisor daemon in the foreground (SIGHUP reloads, SIGTERM/Ctrl-C stops every bot and exits)");
        command.Options.Add(CommonOptions.Config);
        command.Options.Add(CommonOptions.StateDir);
        command.Options.Add(CommonOptions.LogFormat);
        command.Options.Add(Listen);
        command.Options.Add(Cgroups);
        command.SetAction((parse, _) => InvokeAsync(
            parse.GetValue(CommonOptions.Config),
            parse.GetValue(CommonOptions.StateDir),
            parse.GetValue(CommonOptions.LogFormat) ?? "text",
            parse.GetValue(Listen),
            parse.GetValue(Cgroups)));
        return command;
    }

    private static readonly Option<string?> Listen = new("--listen")
    {
        Description = "The API's address (default: $BOTVISOR_LISTEN, the fleet file's api.listen, else http://127.0.0.1:7070; port 0 picks a free one)",
    };

    private static readonly Option<string?> Cgroups = new("--cgroups")
    {
        Description = "Per-bot cgroups for memory_max/cpu_max: auto (default, or $BOTVISOR_CGROUPS), off, or a cgroup v2 directory delegated to Botvisor",
    };

    public static async Task<int> InvokeAsync(string? config, string? stateDir, string logFormat, string? listen, string? cgroups = null)
    {
        // First of all: SIGHUP's default would end the process, and SIGTERM must stop what has started.
        using var signals = DaemonSignals.Register();
        var configPath = CommonOptions.ResolveConfigPath(config);
        if (!File.Exists(configPath))
        {
            Console.Error.WriteLine($"botvisor: not started: there is no fleet file at {configPath}");
            Console.Error.WriteLine(CommonOptions.MissingFleetFileHint);
            return ExitCodes.Failed;
        }
        var loaded = FleetLoader.LoadAndValidate(configPath);
        if (!loaded.Succeeded)
        {
            foreach (var error in loaded.Errors) Console.Error.WriteLine(error);
            Console.Error.WriteLine($"botvisor: not started: {configPath} has {loaded.Errors.Count} error(s)");
            return ExitCodes.Failed;
        }

        var options = new DaemonOptions
        {
            ConfigPath = configPath,
            StateDirectory = Path.GetFullPath(
                stateDir
                ?? Environment.GetEnvironmentVariable("BOTVISOR_STATE_DIR")
                ?? loaded.Fleet!.StateDirectory
                ?? Path.Combine(Path.GetDirectoryName(configPath)!, ".botvisor")),
            LogFormat = logFormat,
            SampleInterval = loaded.Fleet!.SampleInterval ?? Core.Health.ResourceSampler.DefaultInterval,
            Events = loaded.Fleet!.Events ?? Core.Fleet.EventRetention.Default,
            Admin = AdminBot.AdminBotSetup.WithBaseUrl(loaded.Fleet!),
            Alerts = loaded.Fleet!.Alerts ?? Core.Fleet.AlertsConfig.Empty,
            Cgroups = cgroups ?? Environment.GetEnvironmentVariable("BOTVISOR_CGROUPS") ?? "auto",
        };
        var (cluster, clusterError) = ClusterSettings.Resolve(loaded.Fleet!.Cluster, configPath);
        if (clusterError is not null)
        {
            Console.Error.WriteLine($"botvisor: not started: {clusterError}");
            return ExitCodes.Usage;
        }
        options = options with { Cluster = cluster };
        if (options.Cgroups is not ("auto" or "off") && !Path.IsPathFullyQualified(options.Cgroups))
        {
            Console.Error.WriteLine($"botvisor: not started: --cgroups '{options.Cgroups}' is not auto, off, or an absolute cgroup v2 directory such as /sys/fs/cgroup/botvisor");
            return ExitCodes.Usage;
        }
        var api = loaded.Fleet!.Api;
        var tokens = new Dictionary<string, string>(api.Tokens, StringComparer.Ordinal);
        if (Environment.GetEnvironmentVariable("BOTVISOR_API_TOKEN") is { Length: > 0 } envToken) tokens["env"] = envToken;
        var listenUrl = listen ?? Environment.GetEnvironmentVariable("BOTVISOR_LISTEN") ?? api.Listen ?? DaemonOptions.DefaultListen;
        if (!Uri.TryCreate(listenUrl, UriKind.Absolute, out var uri) || uri.Scheme != "http" || !(uri.Host == "localhost" || System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out _)))
        {
            Console.Error.WriteLine($"botvisor: not started: the listen address '{listenUrl}' is not an http:// URL with an IP address, such as http://127.0.0.1:7070");
            return ExitCodes.Usage;
        }
        string? loopbackReason = null;
        if (tokens.Count == 0 && !(uri.Host == "localhost" || System.Net.IPAddress.IsLoopback(System.Net.IPAddress.Parse(uri.Host.Trim('[', ']')))))
        {
            loopbackReason = $"no API token is configured, so {listenUrl} was replaced by loopback";
            listenUrl = $"http://127.0.0.1:{uri.Port}";
        }
        options = options with
        {
            Listen = listenUrl,
            LoopbackReason = loopbackReason,
            Security = new Api.Auth.ApiSecurityOptions { Tokens = tokens, PublicMetrics = api.PublicMetrics ?? false },
        };

        using var stateLock = TryLock(options.StateDirectory);
        if (stateLock is null) return ExitCodes.Failed;
        foreach (var problem in StateDirectoryPermissions.Secure(options.StateDirectory, options.DatabasePath))
        {
            Console.Error.WriteLine($"botvisor: warning: could not restrict the state directory to its owner: {problem}");
        }
        FileDescriptorLimit.Raise();
        return await RunHostAsync(options, signals).ConfigureAwait(false);
    }

    /// <summary>The state directory's lock; null (with the reason printed) when another daemon holds it.</summary>
    private static StateDirectoryLock? TryLock(string stateDirectory)
    {
        try
        {
            return StateDirectoryLock.Acquire(stateDirectory);
        }
        catch (StateDirectoryLockedException ex)
        {
            Console.Error.WriteLine("botvisor: " + ex.Message);
            return null;
        }
    }

    /// <summary>
    /// Runs the host until shutdown. Whatever ends it, a failure or a shutdown signal in the middle of
    /// start-up (SIGTERM before Kestrel has bound cancels the host's start), every bot that was started
    /// is stopped before this returns: the daemon never exits leaving workers behind.
    /// </summary>
    private static async Task<int> RunHostAsync(DaemonOptions options, DaemonSignals signals)
    {
        var host = DaemonHostBuilder.Build(options, signals);
        try
        {
            try
            {
                // The store is opened before anything starts, so a refused database ends here with its reason.
                await host.Services.GetRequiredService<IFleetStore>().InitializeAsync().ConfigureAwait(false);
                StateDirectoryPermissions.Secure(options.StateDirectory, options.DatabasePath); // a database made anew after a damaged one was moved aside
            }
            catch (Exception ex) when (ex is StoreSchemaTooNewException or StoreUnavailableException or Npgsql.PostgresException or Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"botvisor: not started: {ex.Message}");
                return ExitCodes.Failed;
            }
            signals.AttachHost(host.Services.GetRequiredService<IHostApplicationLifetime>());
            await host.StartAsync().ConfigureAwait(false);
            await host.WaitForShutdownAsync().ConfigureAwait(false);
            // A cluster node that could not keep its worker guardian has fenced itself: a failure, for its service manager to restart it.
            return host.Services.GetService<WorkerGuardian>() is { GaveUp: true } ? ExitCodes.Failed : ExitCodes.Ok;
        }
        catch (OperationCanceledException) when (signals.ShutdownRequested)
        {
            await StopFleetAsync(host).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (FleetValidationException ex)
        {
            Console.Error.WriteLine("botvisor: " + ex.Message);
            await StopFleetAsync(host).ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"botvisor: the daemon failed: {ex.Message}");
            await StopFleetAsync(host).ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        finally
        {
            await host.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task StopFleetAsync(WebApplication host)
    {
        try
        {
            await host.Services.GetRequiredService<FleetDaemonService>().StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"botvisor: stopping the bots: {ex.Message}");
        }
    }
}
