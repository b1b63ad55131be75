using System.Globalization;
using System.Text;

namespace Botvisor.Cli;

/// <summary>Tables for people (colour only on a terminal), and small formatting helpers.</summary>
internal static class Output
{
    public static bool Colour => !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;

    public static void Table(TextWriter writer, string[] headers, IEnumerable<string[]> rows, int colourColumn = -1)
    {
        var all = rows.ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
        bool colour = colourColumn >= 0 && Colour;
        // One write for the whole table: Console.Out flushes on every call.
        var sb = new StringBuilder();
        Line(sb, headers, widths, -1);
        foreach (var row in all) Line(sb, row, widths, colour ? colourColumn : -1);
        writer.Write(sb.ToString());
    }

    private static void Line(StringBuilder sb, string[] cells, int[] widths, int colourColumn)
    {
        for (int i = 0; i < cells.Length; i++)
        {
            var cell = cells[i];
            if (i == colourColumn) sb.Append(StateColour(cell));
            sb.Append(cell);
            if (i == colourColumn) sb.Append("\u001b[0m");
            if (i < cells.Length - 1) sb.Append(' ', widths[i] + 2 - cell.Length);
        }
        while (sb.Length > 0 && sb[^1] == ' ') sb.Length--;
        sb.Append('\n');
    }

    private static string StateColour(string state) => state switch
    {
        "running" => "\u001b[32m",
        "failed" => "\u001b[31m",
        "backoff" or "stopping" or "starting" or "pending" => "\u001b[33m",
        _ => "\u001b[90m",
    };

    /// <summary>Prints a JSON document from the daemon as it came, followed by a newline; returns <see cref="ExitCodes.Ok"/>.</summary>
    public static int Json(ReadOnlySpan<byte> utf8)
    {
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(utf8);
        stdout.Write("\n"u8);
        return ExitCodes.Ok;
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

    public static string Or(this int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";
}
