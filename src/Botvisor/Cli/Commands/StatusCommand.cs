using System.CommandLine;

namespace Botvisor.Cli.Commands;

/// <summary>
/// <c>botvisor status</c> and <c>botvisor ls</c>. The daemon renders the tables (<c>Accept: text/plain</c>):
/// the CLI prints them as they come, or the JSON with <c>--json</c>.
/// </summary>
internal static class StatusCommand
{
    public static Command Create() => Table("status", "The daemon and every bot: state, pid, uptime, restarts, last exit", "status");

    public static Command CreateList() => Table("ls", "List the bots", "bots");

    private static Command Table(string name, string description, string resource)
    {
        var command = new Command(name, description).With();
        command.SetAction((parse, _) => ClientOptions.RunAsync(parse, async (client, json, ct) =>
        {
            if (json) return Output.Json(await client.GetRawAsync(resource, ct));
            var path = Output.Colour ? resource + "?color=true" : resource;
            return Output.Text(await client.GetRawAsync(path, ct, "text/plain"));
        }));
        return command;
    }
}
