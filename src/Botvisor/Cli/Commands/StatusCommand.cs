using System.CommandLine;
using System.Globalization;
using System.Text;
using Botvisor.Api.Contracts;
using Botvisor.Api.Text;

namespace Botvisor.Cli.Commands;

/// <summary>
/// <c>botvisor status [ID…]</c> and <c>botvisor ls</c>. The daemon renders the tables (<c>Accept: text/plain</c>),
/// fitted to the terminal's width (<c>-o wide</c>: every column in full); the CLI prints them as they come,
/// or the JSON with <c>--json</c>. With ids, each bot's detail.
/// </summary>
internal static class StatusCommand
{
    private static readonly Argument<string[]> Ids = new Argument<string[]>("id")
    {
        Description = "Show these bots in detail (ids, globs such as 'shop-*', or all)",
        Arity = ArgumentArity.ZeroOrMore,
    }.WithBotIds();

    private static readonly Option<string?> OutputFormat = new("--output", "-o") { Description = "wide: every column in full, whatever the terminal's width" };
    private static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Also say how resource limits are enforced on this host (cgroups)" };

    static StatusCommand()
    {
        OutputFormat.AcceptOnlyFromAmong("wide");
    }

    public static Command Create()
    {
        var command = Table("status", "The daemon and every bot: state, pid, uptime, restarts, last exit; `status ID…` for one bot's detail", "status");
        command.Arguments.Add(Ids);
        command.Options.Add(Verbose);
        return command;
    }

    public static Command CreateList() => Table("ls", "List the bots", "bots");

    private static Command Table(string name, string description, string resource)
    {
        var command = new Command(name, description).With();
        command.Options.Add(OutputFormat);
        command.SetAction((parse, _) => ClientOptions.RunAsync(parse, async (client, json, ct) =>
        {
            var words = name == "status" ? parse.GetValue(Ids) ?? [] : [];
            if (words.Length > 0) return await DetailAsync(client, words, json, ct);
            if (json) return Output.Json(await client.GetRawAsync(resource, ct));
            var query = new List<string>();
            if (Output.Colour) query.Add("color=true");
            if (parse.GetValue(OutputFormat) == "wide") query.Add("wide=true");
            else if (Output.TerminalWidth() is { } width) query.Add("width=" + width.ToString(CultureInfo.InvariantCulture));
            if (name == "status" && parse.GetValue(Verbose)) query.Add("verbose=true");
            var path = query.Count == 0 ? resource : resource + "?" + string.Join('&', query);
            return Output.Text(await client.GetRawAsync(path, ct, "text/plain"));
        }));
        return command;
    }

    private static async Task<int> DetailAsync(ApiClient client, string[] words, bool json, CancellationToken ct)
    {
        var status = await client.GetJsonAsync("status", ApiJsonContext.Default.StatusResponse, ct);
        var (selected, errors) = BotSelector.Select(status.Bots, words, []);
        if (errors.Count > 0)
        {
            foreach (var e in errors) Console.Error.WriteLine("botvisor: " + e);
            return ExitCodes.NotFound;
        }
        if (json)
        {
            Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(selected, ApiJsonContext.Default.ListBotStatus));
            return ExitCodes.Ok;
        }
        var sb = new StringBuilder();
        foreach (var b in selected)
        {
            if (sb.Length > 0) sb.Append('\n');
            Detail(sb, b);
        }
        Console.Out.Write(sb.ToString());
        return ExitCodes.Ok;
    }

    /// <summary>One bot, a field a line.</summary>
    internal static void Detail(StringBuilder sb, BotStatus b)
    {
        void Line(string key, string? value)
        {
            if (string.IsNullOrEmpty(value)) return;
            sb.Append(key).Append(':').Append(' ', Math.Max(1, 12 - key.Length)).Append(value).Append('\n');
        }
        var inv = CultureInfo.InvariantCulture;
        Line("bot", b.Id);
        Line("state", b.Reason.Length > 0 ? $"{b.State} ({b.Reason})" : b.State);
        Line("node", b.Node is { } node && b.LeaseEpoch is { } epoch ? $"{node} (lease epoch {epoch.ToString(inv)})" : b.Node);
        Line("pid", b.Pid?.ToString(inv));
        Line("uptime", b.UptimeSeconds is { } u ? StatusText.Duration(u) : null);
        Line("started", b.StartedAt?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", inv));
        Line("next start", b.NextStartAt?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", inv));
        Line("restarts", b.Restarts.ToString(inv));
        Line("last exit", b.LastExit?.Description);
        Line("health", b.State is "stopped" or "pending" or "waiting" or Hosting.BotNodes.Unknown ? null : b.Health);
        foreach (var (check, result) in b.Checks ?? [])
        {
            Line("  " + check, $"{(result.Healthy ? "ok" : "failing")}: {result.Message} ({result.Time.ToLocalTime().ToString("HH:mm:ss", inv)})");
        }
        Line("status", b.StatusText);
        if (b.Resources is { } r)
        {
            Line("memory", Core.Health.ResourceSampler.Mib(r.RssBytes) + (b.Limits?.MemoryMax is { } mm ? $" of {Core.Health.ResourceSampler.Mib(mm)} ({b.Limits.MemoryEnforcement})" : ""));
            Line("cpu", r.CpuPercent.ToString("0.#", inv) + "%" + (b.Limits?.CpuMax is { } cm ? $" of {(cm * 100).ToString("0.#", inv)}% ({b.Limits.CpuEnforcement})" : ""));
            Line("processes", r.Processes.ToString(inv));
        }
        else if (b.Limits is { } l)
        {
            Line("memory max", l.MemoryMax is { } mm ? $"{Core.Health.ResourceSampler.Mib(mm)} ({l.MemoryEnforcement})" : null);
            Line("cpu max", l.CpuMax is { } cm ? $"{(cm * 100).ToString("0.#", inv)}% ({l.CpuEnforcement})" : null);
        }
        Line("cgroup", b.Limits?.Cgroup);
        Line("telegram", (b.Username is { } name ? name + " " : "") + (b.Token ?? "") + (b.Conflicts > 0 ? $" ({b.Conflicts} polling conflicts)" : ""));
        Line("source", b.Source);
        Line("command", string.Join(' ', b.Command));
        Line("autostart", b.Autostart ? "yes" : "no");
        Line("depends on", string.Join(", ", b.DependsOn));
    }
}
