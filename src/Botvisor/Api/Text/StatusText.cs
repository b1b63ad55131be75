using System.Globalization;
using System.Text;
using Botvisor.Api.Contracts;
using Botvisor.Core.Health;
using Botvisor.Hosting;

namespace Botvisor.Api.Text;

/// <summary>
/// <c>GET /status</c> and <c>GET /bots</c> as the tables <c>botvisor status</c> and <c>ls</c> print,
/// for a client that asks for <c>text/plain</c>. The daemon renders them, as kubectl's server-side
/// printing does, so the CLI copies bytes to stdout instead of parsing and laying out half a
/// megabyte of JSON for a thousand bots in a freshly started process.
/// </summary>
internal static class StatusText
{
    private static readonly string[] StatusColumns = ["BOT", "STATE", "HEALTH", "PID", "UPTIME", "RESTARTS", "MEMORY", "CPU", "LAST EXIT", "TELEGRAM", "SOURCE", "REASON"];
    private static readonly string[] ListColumns = ["BOT", "STATE", "PID", "SOURCE", "COMMAND"];

    /// <summary>The status table's columns left out, in this order, until it fits a terminal: the widest, least needed first.</summary>
    private static readonly int[] StatusDropOrder = [10, 9, 7, 6, 8, 2, 4];

    private static readonly int[] ListDropOrder = [3];

    /// <summary>About what one row of the status table takes, to size the buffer once.</summary>
    public const int RowChars = 160;

    /// <param name="width">The terminal's width: columns are left out and the reason cut to fit (null: every column in full).</param>
    /// <param name="verbose">Say how limits are enforced on this host (the cgroup paragraph); otherwise only that there is more to say.</param>
    public static void Status(StringBuilder sb, StatusResponse status, bool colour, int? width = null, bool verbose = false)
    {
        var d = status.Daemon;
        sb.Append(CultureInfo.InvariantCulture, $"botvisor {d.Version}{(d.Node is { } self ? " on node " + self : "")}, pid {d.Pid}, up {Duration(d.UptimeSeconds)}; {d.Bots} bot(s)");
        var separator = ": ";
        foreach (var (state, count) in d.States.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            sb.Append(separator).Append(count).Append(' ').Append(state);
            separator = ", ";
        }
        sb.Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"fleet {d.Config}; state {d.StateDirectory}\n");
        if (verbose && d.Cgroups is { } cgroups) sb.Append("limits: ").Append(cgroups.Description).Append('\n');
        sb.Append('\n');

        var rows = new string[status.Bots.Count][];
        for (int i = 0; i < rows.Length; i++)
        {
            var b = status.Bots[i];
            rows[i] =
            [
                b.Id, b.State, b.State is "stopped" or "pending" or "waiting" or BotNodes.Unknown ? "-" : b.Health, Pid(b.Pid), Duration(b.UptimeSeconds), b.Restarts.ToString(CultureInfo.InvariantCulture),
                Memory(b), Cpu(b), b.LastExit?.Description ?? "-", Telegram(b), Source(b.Source),
                b.StatusText is { Length: > 0 } st ? $"{b.Reason} [{st}]" : b.Reason,
            ];
        }
        WriteTable(sb, StatusColumns, rows, status.Bots, colour, width, StatusDropOrder);
    }

    public static void Bots(StringBuilder sb, IReadOnlyList<BotStatus> bots, bool colour, int? width = null)
    {
        var rows = new string[bots.Count][];
        for (int i = 0; i < rows.Length; i++)
        {
            var b = bots[i];
            rows[i] = [b.Id, b.State, Pid(b.Pid), Source(b.Source), string.Join(' ', b.Command)];
        }
        WriteTable(sb, ListColumns, rows, bots, colour, width, ListDropOrder);
    }

    /// <summary>The table; in a cluster with a NODE column after the state (kept at any width: which node runs a bot matters most there).</summary>
    private static void WriteTable(StringBuilder sb, string[] columns, string[][] rows, IReadOnlyList<BotStatus> bots, bool colour, int? width, int[] dropOrder)
    {
        const int NodeColumn = 2;
        if (bots.Any(b => b.Node is not null))
        {
            columns = [.. columns[..NodeColumn], "NODE", .. columns[NodeColumn..]];
            for (int i = 0; i < rows.Length; i++) rows[i] = [.. rows[i][..NodeColumn], bots[i].Node ?? "-", .. rows[i][NodeColumn..]];
            dropOrder = dropOrder.Select(c => c >= NodeColumn ? c + 1 : c).ToArray();
        }
        TextTable.Write(sb, columns, rows, colour ? 1 : -1, width, dropOrder);
    }

    public static string Duration(double? seconds)
    {
        if (seconds is not { } s) return "-";
        var t = TimeSpan.FromSeconds(s);
        if (t.TotalDays >= 1) return $"{(int)t.TotalDays}d{t.Hours}h";
        if (t.TotalHours >= 1) return $"{(int)t.TotalHours}h{t.Minutes}m";
        if (t.TotalMinutes >= 1) return $"{(int)t.TotalMinutes}m{t.Seconds}s";
        return $"{(int)t.TotalSeconds}s";
    }

    private static string Pid(int? pid) => pid?.ToString(CultureInfo.InvariantCulture) ?? "-";

    private static string Source(string source) => source == "api" ? "api" : Path.GetFileName(source);

    private static string Memory(BotStatus b)
    {
        var used = b.Resources is { } r ? ResourceSampler.Mib(r.RssBytes) : "-";
        return b.Limits is { MemoryMax: { } max } l ? $"{used} / {ResourceSampler.Mib(max)} ({l.MemoryEnforcement})" : used;
    }

    private static string Cpu(BotStatus b)
    {
        var used = b.Resources is { } r ? r.CpuPercent.ToString("0.#", CultureInfo.InvariantCulture) + "%" : "-";
        return b.Limits is { CpuMax: { } max } l
            ? $"{used} / {(max * 100).ToString("0.#", CultureInfo.InvariantCulture)}% ({l.CpuEnforcement})"
            : used;
    }

    /// <summary>Who the bot is on Telegram; "via gateway" (and a <c>retry_after</c> being honoured) when it runs behind the gateway.</summary>
    private static string Telegram(BotStatus b)
    {
        var who = b.Username ?? b.Token ?? "-";
        if (b.BehindGateway) who += b.Gateway?.RetryAfter is { } wait ? $" via gateway (429: retry after {wait}s)" : " via gateway";
        return b.Conflicts > 0 ? $"{who} ({b.Conflicts} conflicts)" : who;
    }
}
