using System.CommandLine;
using Botvisor.Api.Contracts;

namespace Botvisor.Cli.Commands;

/// <summary><c>botvisor start|stop|restart|rm ID</c>.</summary>
internal static class BotCommands
{
    private static readonly Argument<string> Id = new("id") { Description = "The bot's id" };

    public static Command Start() => Action("start", "Start a bot and wait until it runs");
    public static Command Stop() => Action("stop", "Stop a bot (its whole process group) and wait until it has stopped");
    public static Command Restart() => Action("restart", "Restart a bot and wait until the new worker runs");

    private static Command Action(string verb, string description)
    {
        var command = new Command(verb, description).With();
        command.Arguments.Add(Id);
        command.SetAction((parse, _) => ClientOptions.RunAsync(parse, async (client, json, ct) =>
        {
            var id = parse.GetValue(Id)!;
            var (bot, raw) = await client.SendAsync(HttpMethod.Post, $"bots/{Uri.EscapeDataString(id)}/{verb}", ApiJsonContext.Default.BotStatus, null, null, ct);
            if (json) Console.WriteLine(raw);
            else Console.WriteLine($"{id}: {bot!.State}{(bot.Pid is { } pid ? $" (pid {pid})" : "")}: {bot.Reason}");
            return verb == "stop" ? (bot!.State is "stopped" or "failed" ? ExitCodes.Ok : ExitCodes.Failed)
                : bot!.State == "failed" ? ExitCodes.Failed : ExitCodes.Ok;
        }));
        return command;
    }

    public static Command Remove()
    {
        var command = new Command("rm", "Stop and remove a bot that was added with `botvisor add` (bots of the fleet file are removed by editing it)").With(json: false);
        command.Arguments.Add(Id);
        command.SetAction((parse, _) => ClientOptions.RunAsync(parse, async (client, _, ct) =>
        {
            var id = parse.GetValue(Id)!;
            await client.SendAsync(HttpMethod.Delete, $"bots/{Uri.EscapeDataString(id)}", ApiJsonContext.Default.BotStatus, null, null, ct);
            Console.WriteLine($"{id}: removed");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
