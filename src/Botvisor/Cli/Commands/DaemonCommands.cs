using System.CommandLine;
using Botvisor.Api.Contracts;

namespace Botvisor.Cli.Commands;

/// <summary><c>botvisor reload</c> and <c>botvisor shutdown</c>.</summary>
internal static class DaemonCommands
{
    public static Command Reload()
    {
        var publish = new Option<bool>("--publish") { Description = "In a cluster: make this node's fleet file the cluster's fleet, even if it did not change since this node read it" };
        var command = new Command("reload", "Re-read the fleet file and apply only the difference (a file with errors changes nothing)") { publish };
        command.With();
        command.SetAction((parse, _) => ClientOptions.RunAsync(parse, async (client, json, ct) =>
        {
            string path = parse.GetValue(publish) ? "reload?publish=true" : "reload";
            var (result, raw) = await client.SendAsync(HttpMethod.Post, path, ApiJsonContext.Default.ReloadResponse, null, null, ct);
            Console.WriteLine(json ? raw : "reloaded: " + result!.Summary);
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command Shutdown()
    {
        var command = new Command("shutdown", "Stop every bot and end the daemon").With();
        command.SetAction((parse, _) => ClientOptions.RunAsync(parse, async (client, json, ct) =>
        {
            var (result, raw) = await client.SendAsync(HttpMethod.Post, "shutdown", ApiJsonContext.Default.ShutdownResponse, null, null, ct);
            Console.WriteLine(json ? raw : "daemon " + result!.Status);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
