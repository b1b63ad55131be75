using System.CommandLine;
using System.Globalization;
using Botvisor.Api.Contracts;

namespace Botvisor.Cli.Commands;

/// <summary>
/// <c>botvisor mute [TARGET DURATION]</c> silences alerts (a bot, <c>kind:NAME</c>, <c>ID/NAME</c> or <c>*</c>);
/// without arguments it lists the silences and the open alerts. <c>botvisor unmute TARGET</c> ends one.
/// </summary>
internal static class MuteCommand
{
    private static readonly Argument<string?> Target = new("target")
    {
        Description = "A bot id, kind:NAME (bot_failed, unhealthy, restart_storm, conflict, token_rejected, memory_limit, node_gone, source_outage, source_held), ID/NAME, or * for everything",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Argument<string?> Duration = new("duration") { Description = "How long, such as 30m, 1h or 1d (default 1h)", Arity = ArgumentArity.ZeroOrOne };

    public static Command Mute()
    {
        var command = new Command("mute", "Silence alerts of a bot or a kind for a while; without arguments, list silences and open alerts").With();
        command.Arguments.Add(Target);
        command.Arguments.Add(Duration);
        command.SetAction((parse, _) => ClientOptions.RunAsync(parse, async (client, json, ct) =>
        {
            if (parse.GetValue(Target) is not { } target)
            {
                if (json) return Output.Json(await client.GetRawAsync("alerts", ct));
                var alerts = await client.GetJsonAsync("alerts", ApiJsonContext.Default.AlertsResponse, ct);
                Print(alerts);
                return ExitCodes.Ok;
            }
            var body = System.Text.Json.JsonSerializer.Serialize(new SilenceRequest(target, parse.GetValue(Duration) ?? "1h"), ApiJsonContext.Default.SilenceRequest);
            var (silence, raw) = await client.SendAsync(HttpMethod.Post, "alerts/silences", ApiJsonContext.Default.SilenceInfo, body, "application/json", ct);
            if (json) return Output.Json(System.Text.Encoding.UTF8.GetBytes(raw));
            Console.WriteLine($"muted {silence!.Description} until {silence.Until.ToLocalTime():yyyy-MM-dd HH:mm:ss}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command Unmute()
    {
        var target = new Argument<string>("target") { Description = "What was muted: a bot id, kind:NAME, ID/NAME or *" };
        var command = new Command("unmute", "End a silence").With();
        command.Arguments.Add(target);
        command.SetAction((parse, _) => ClientOptions.RunAsync(parse, async (client, json, ct) =>
        {
            var t = parse.GetValue(target)!;
            var (_, raw) = await client.SendAsync(HttpMethod.Delete, "alerts/silences/" + Uri.EscapeDataString(t), ApiJsonContext.Default.UnmuteResponse, null, null, ct);
            if (json) return Output.Json(System.Text.Encoding.UTF8.GetBytes(raw));
            Console.WriteLine($"unmuted {t}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void Print(AlertsResponse alerts)
    {
        if (alerts.Silences.Count == 0) Console.WriteLine("no silences");
        foreach (var s in alerts.Silences)
        {
            Console.WriteLine($"muted   {s.Description,-30} until {s.Until.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}  by {s.By}");
        }
        foreach (var a in alerts.Open)
        {
            Console.WriteLine($"open    {a.Subject + " " + a.Kind,-30} since {a.StartedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}{(a.Silenced ? " (muted)" : "")}  {a.Reason}");
        }
    }
}
