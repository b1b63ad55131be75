using System.CommandLine;
using System.Globalization;

namespace Botvisor.Cli.Commands;

/// <summary><c>botvisor status</c> and <c>botvisor ls</c>.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var command = new Command("status", "The daemon and every bot: state, pid, uptime, restarts, last exit").With();
        command.SetAction((parse, _) => ClientOptions.RunAsync(parse, async (client, json, ct) =>
        {
            if (json) return Output.Json(await client.GetRawAsync("status", ct));
            var status = StatusTableReader.ReadStatus(await client.GetRawAsync("status", ct));
            var d = status.Daemon;
            var counts = string.Join(", ", d.States.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Value} {kv.Key}"));
            Console.WriteLine($"botvisor {d.Version}, pid {d.Pid}, up {Output.Duration(d.UptimeSeconds)}; {d.Bots} bot(s){(counts.Length > 0 ? ": " + counts : "")}");
            Console.WriteLine($"fleet {d.Config}; state {d.StateDirectory}");
            if (status.Bots.Any(b => b.Limits is not null) && d.Cgroups is { } cgroups) Console.WriteLine("limits: " + cgroups);
            Console.WriteLine();
            Output.Table(Console.Out, ["BOT", "STATE", "HEALTH", "PID", "UPTIME", "RESTARTS", "MEMORY", "CPU", "LAST EXIT", "TELEGRAM", "SOURCE", "REASON"],
                status.Bots.Select(b => new[]
                {
                    b.Id, b.State, b.Health, b.Pid.Or(), Output.Duration(b.UptimeSeconds), b.Restarts.ToString(CultureInfo.InvariantCulture),
                    Memory(b), Cpu(b),
                    b.LastExit ?? "-", Telegram(b), b.Source == "api" ? "api" : Path.GetFileName(b.Source),
                    b.StatusText is { Length: > 0 } st ? $"{b.Reason} [{st}]" : b.Reason,
                }), colourColumn: 1);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string Memory(BotRow b)
    {
        var used = b.Resources is { } r ? Core.Health.ResourceSampler.Mib(r.RssBytes) : "-";
        return b.Limits is { MemoryMax: { } max } l ? $"{used} / {Core.Health.ResourceSampler.Mib(max)} ({l.MemoryEnforcement})" : used;
    }

    private static string Cpu(BotRow b)
    {
        var used = b.Resources is { } r ? r.CpuPercent.ToString("0.#", CultureInfo.InvariantCulture) + "%" : "-";
        return b.Limits is { CpuMax: { } max } l
            ? $"{used} / {(max * 100).ToString("0.#", CultureInfo.InvariantCulture)}% ({l.CpuEnforcement})"
            : used;
    }

    private static string Telegram(BotRow b)
    {
        var who = b.Username ?? b.Token ?? "-";
        return b.Conflicts > 0 ? $"{who} ({b.Conflicts} conflicts)" : who;
    }

    public static Command CreateList()
    {
        var command = new Command("ls", "List the bots").With();
        command.SetAction((parse, _) => ClientOptions.RunAsync(parse, async (client, json, ct) =>
        {
            if (json) return Output.Json(await client.GetRawAsync("bots", ct));
            var bots = StatusTableReader.ReadBotList(await client.GetRawAsync("bots", ct));
            Output.Table(Console.Out, ["BOT", "STATE", "PID", "SOURCE", "COMMAND"],
                bots.Select(b => new[] { b.Id, b.State, b.Pid.Or(), b.Source == "api" ? "api" : Path.GetFileName(b.Source), string.Join(' ', b.Command) }),
                colourColumn: 1);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
