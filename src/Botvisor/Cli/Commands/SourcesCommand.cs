using System.CommandLine;
using System.Globalization;
using System.Text;
using Botvisor.Api.Contracts;

namespace Botvisor.Cli.Commands;

/// <summary>
/// <c>botvisor sources</c> (each remote source: URL with credentials masked, last fetch and result,
/// generation, bots, rejected entries with reasons, held removals), <c>botvisor sources sync NAME</c>
/// (fetch now) and <c>botvisor sources accept NAME</c> (apply a held removal); all with <c>--json</c>.
/// </summary>
internal static class SourcesCommand
{
    public static Command Create()
    {
        var command = new Command("sources", "Show the remote sources (platform APIs) the fleet's bots come from").With();
        command.SetAction((parse, _) => ClientOptions.RunAsync(parse, async (client, json, ct) =>
        {
            var raw = await client.GetRawAsync("sources", ct);
            if (json) return Output.Json(raw);
            var sources = System.Text.Json.JsonSerializer.Deserialize(raw, ApiJsonContext.Default.ListSourceInfo)!;
            if (sources.Count == 0)
            {
                Console.WriteLine("no remote sources (add 'sources:' to the fleet file; see the README)");
                return ExitCodes.Ok;
            }
            var text = new StringBuilder();
            foreach (var s in sources) Describe(text, s);
            Console.Write(text.ToString());
            return ExitCodes.Ok;
        }));
        command.Subcommands.Add(Action("sync", "Fetch a source now and apply what changed; prints what the fetch gave", "sync"));
        command.Subcommands.Add(Action("accept", "Apply the removal the brake holds for a source (bots missing from its list are removed)", "accept"));
        return command;
    }

    private static Command Action(string name, string description, string verb)
    {
        var source = new Argument<string>("name") { Description = "The source's name (as in the fleet file's 'sources:')" };
        var command = new Command(name, description).With();
        command.Arguments.Add(source);
        command.SetAction((parse, _) => ClientOptions.RunAsync(parse, async (client, json, ct) =>
        {
            var path = $"sources/{Uri.EscapeDataString(parse.GetValue(source)!)}/{verb}";
            var (outcome, raw) = await client.SendAsync(HttpMethod.Post, path, ApiJsonContext.Default.SourceOutcomeInfo, null, null, ct);
            if (json)
            {
                Console.WriteLine(raw);
            }
            else
            {
                Console.WriteLine($"{outcome!.Source.Name}: {(outcome.Ok ? "" : "fetch failed: ")}{outcome.Result}");
            }
            return outcome!.Ok ? ExitCodes.Ok : ExitCodes.Failed;
        }));
        return command;
    }

    internal static void Describe(StringBuilder text, SourceInfo s)
    {
        var inv = CultureInfo.InvariantCulture;
        text.Append(inv, $"{s.Name}  {s.Health}  {s.Url}\n");
        text.Append(inv, $"  every {s.IntervalSeconds:0.#}s; last fetch {When(s.LastFetch)}: {s.LastResult ?? "-"}\n");
        if (s.ConsecutiveFailures > 0) text.Append(inv, $"  failing: {s.ConsecutiveFailures} attempt(s) in a row; last success {When(s.LastSuccess)}; the last good list keeps running\n");
        text.Append(inv, $"  generation {s.Generation} ({When(s.GenerationTime)}): {s.Bots} bot(s)");
        if (s.Filtered > 0) text.Append(inv, $", {s.Filtered} item(s) for others (filter)");
        if (s.Disabled > 0) text.Append(inv, $", {s.Disabled} disabled");
        text.Append('\n');
        if (s.HeldRemoval is { } held)
        {
            text.Append(inv, $"  removal held since {When(held.Since)}: {held.Bots.Count} of {held.Before} bot(s) missing ({string.Join(", ", held.Bots.Take(10))}{(held.Bots.Count > 10 ? ", …" : "")})\n");
            text.Append(held.NeedsAccept
                ? $"    the list is empty: only `botvisor sources accept {s.Name}` removes them\n"
                : $"    applied if the next fetch shows it again, or now with `botvisor sources accept {s.Name}`\n");
        }
        foreach (var r in s.Rejected)
        {
            text.Append(inv, $"  rejected item {r.Index}{(r.Id is null ? "" : $" ({r.Id})")}: {r.Reason}\n");
        }
    }

    private static string When(DateTimeOffset? time) => time is { } t ? t.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "never";
}
