using System.CommandLine;
using System.Globalization;
using System.Text;
using Botvisor.Api.Contracts;

namespace Botvisor.Cli.Commands;

/// <summary><c>botvisor nodes</c> (the cluster's nodes), <c>nodes drain NAME</c> and <c>nodes undrain NAME</c>.</summary>
internal static class NodesCommand
{
    public static Command Create()
    {
        var command = new Command("nodes", "List the cluster's nodes: name, version, address, last heartbeat, bots held, state").With();
        command.SetAction((parse, _) => ClientOptions.RunAsync(parse, async (client, json, ct) =>
        {
            if (json) return Output.Json(await client.GetRawAsync("nodes", ct));
            var nodes = await client.GetJsonAsync("nodes", ApiJsonContext.Default.NodesResponse, ct);
            Console.Write(Table(nodes));
            return ExitCodes.Ok;
        }));
        command.Subcommands.Add(DrainCommand("drain", "Move a node's bots to the other nodes (handovers: stopped there, then started elsewhere)"));
        command.Subcommands.Add(DrainCommand("undrain", "Let a drained node take bots again"));
        return command;
    }

    private static Command DrainCommand(string verb, string description)
    {
        var name = new Argument<string>("name") { Description = "The node's name (see botvisor nodes)" };
        var command = new Command(verb, description) { name };
        command.With();
        command.SetAction((parse, _) => ClientOptions.RunAsync(parse, async (client, json, ct) =>
        {
            var node = parse.GetValue(name)!;
            var (result, raw) = await client.SendAsync(HttpMethod.Post, $"nodes/{Uri.EscapeDataString(node)}/{verb}", ApiJsonContext.Default.DrainResponse, null, null, ct);
            Console.WriteLine(json ? raw : result!.Draining ? $"node {node} is draining: its bots move to the other nodes" : $"node {node} takes bots again");
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The table, the node that answered marked with '*'.</summary>
    public static string Table(NodesResponse nodes)
    {
        var rows = new List<string[]> { new[] { "NODE", "STATE", "BOTS", "HEARTBEAT", "ADDRESS", "FLEET", "FILE", "VERSION" } };
        string? mine = nodes.Nodes.FirstOrDefault(n => n.Name == nodes.Self)?.Fleet;
        foreach (var n in nodes.Nodes)
        {
            rows.Add([
                n.Name + (n.Name == nodes.Self ? " *" : ""),
                n.State,
                n.Bots.ToString(CultureInfo.InvariantCulture),
                n.HeartbeatAgeSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s ago",
                n.Address,
                (n.Fleet.Length == 0 ? "-" : "g" + n.Fleet) + (mine is not null && n.Fleet != mine && n.State != "gone" ? " (not this node's)" : ""),
                n.File.Length == 0 ? "-" : n.File,
                n.Version,
            ]);
        }
        int[] widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.AppendJoin("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).Append('\n');
        }
        if (nodes.Fleet is { } fleet)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nThe cluster's fleet: generation {fleet.Generation}, {fleet.Path} of node {fleet.Node}, published {fleet.PublishedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}.\n");
            if (nodes.Nodes.Any(n => n.File == "differs"))
            {
                text.Append("A node whose FILE differs runs the cluster's fleet all the same; `botvisor reload` on a node makes its file the cluster's.\n");
            }
        }
        return text.ToString();
    }
}
