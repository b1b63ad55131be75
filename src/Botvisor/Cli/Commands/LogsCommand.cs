using System.CommandLine;
using System.Globalization;

namespace Botvisor.Cli.Commands;

/// <summary><c>botvisor logs ID [-f] [-n N]</c>: a bot's recent output; <c>-f</c> follows until Ctrl-C.</summary>
internal static class LogsCommand
{
    private static readonly Argument<string> Id = new("id") { Description = "The bot's id" };
    private static readonly Option<bool> Follow = new("--follow", "-f") { Description = "Keep printing new lines until Ctrl-C" };
    private static readonly Option<int> Lines = new("--lines", "-n") { Description = "How many recent lines", DefaultValueFactory = _ => 100 };

    public static Command Create()
    {
        var command = new Command("logs", "Print a bot's output (tokens masked)").With(json: false);
        command.Arguments.Add(Id);
        command.Options.Add(Follow);
        command.Options.Add(Lines);
        command.SetAction((parse, _) => ClientOptions.RunAsync(parse, async (client, _, ct) =>
        {
            var id = Uri.EscapeDataString(parse.GetValue(Id)!);
            var n = parse.GetValue(Lines).ToString(CultureInfo.InvariantCulture);
            var follow = parse.GetValue(Follow) ? "true" : "false";
            using var response = await client.StreamAsync($"bots/{id}/logs?tail={n}&follow={follow}", ct);
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                Console.Out.WriteLine(line);
                Console.Out.Flush();
            }
            return ExitCodes.Ok;
        }));
        return command;
    }
}
