using System.CommandLine;
using Botvisor.Core.Configuration;
using Botvisor.Hosting;
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
        command.SetAction((parse, _) => InvokeAsync(
            parse.GetValue(CommonOptions.Config),
            parse.GetValue(CommonOptions.StateDir),
            parse.GetValue(CommonOptions.LogFormat) ?? "text"));
        return command;
    }

    public static async Task<int> InvokeAsync(string? config, string? stateDir, string logFormat)
    {
        var configPath = CommonOptions.ResolveConfigPath(config);
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
        };

        StateDirectoryLock stateLock;
        try
        {
            stateLock = StateDirectoryLock.Acquire(options.StateDirectory);
        }
        catch (StateDirectoryLockedException ex)
        {
            Console.Error.WriteLine("botvisor: " + ex.Message);
            return ExitCodes.Failed;
        }

        using (stateLock)
        {
            FileDescriptorLimit.Raise();
            using var host = DaemonHostBuilder.Build(options);
            try
            {
                await host.RunAsync().ConfigureAwait(false);
            }
            catch (FleetValidationException ex)
            {
                Console.Error.WriteLine("botvisor: " + ex.Message);
                return ExitCodes.Failed;
            }
        }
        return ExitCodes.Ok;
    }
}
