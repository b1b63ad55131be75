using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Botvisor.Api.Contracts;

namespace Botvisor.Cli.Commands;

/// <summary><c>botvisor events [-f] [-n N] [--bot ID]</c>: state changes and the audit log (who did what, when).</summary>
internal static class EventsCommand
{
    private static readonly Option<bool> Follow = new("--follow", "-f") { Description = "Keep printing new events until Ctrl-C" };
    private static readonly Option<int> Count = new("--lines", "-n") { Description = "How many recent events", DefaultValueFactory = _ => 50 };
    private static readonly Option<string?> Bot = new("--bot") { Description = "Only this bot's events" };

    public static Command Create()
    {
        var command = new Command("events", "Print the event and audit log").With();
        command.Options.Add(Follow);
        command.Options.Add(Count);
        command.Options.Add(Bot);
        command.SetAction((parse, _) => ClientOptions.RunAsync(parse, async (client, json, ct) =>
        {
            var query = $"events?tail={parse.GetValue(Count).ToString(CultureInfo.InvariantCulture)}&follow={(parse.GetValue(Follow) ? "true" : "false")}";
            if (parse.GetValue(Bot) is { } bot) query += "&bot=" + Uri.EscapeDataString(bot);
            using var response = await client.StreamAsync(query, ct);
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                var data = line[6..];
                if (json)
                {
                    Console.WriteLine(data);
                }
                else
                {
                    var e = JsonSerializer.Deserialize(data, ApiJsonContext.Default.EventInfo)!;
                    var who = e.Actor is null ? "" : $" [{e.Actor}]";
                    var what = e.Bot is null ? "" : $" {e.Bot}";
                    var state = e.State is null ? "" : $" {e.State}:";
                    var epoch = e.Epoch is null || e.Kind == Core.State.BotEventKinds.Node ? "" : $" (epoch {e.Epoch})"; // a node event names its epoch already
                    Console.WriteLine($"{e.Time.ToLocalTime():yyyy-MM-dd HH:mm:ss} {e.Kind,-6}{what}{state} {e.Message}{epoch}{who}");
                }
                Console.Out.Flush();
            }
            return ExitCodes.Ok;
        }));
        return command;
    }
}
