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
        writer.WriteLine(Line(headers, widths, -1));
        foreach (var row in all) writer.WriteLine(Line(row, widths, colourColumn));
    }

    private static string Line(string[] cells, int[] widths, int colourColumn)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < cells.Length; i++)
        {
            var cell = cells[i];
            var padded = i == cells.Length - 1 ? cell : cell.PadRight(widths[i] + 2);
            sb.Append(i == colourColumn && Colour ? StateColour(cell) + padded + "\u001b[0m" : padded);
        }
        return sb.ToString().TrimEnd();
    }

    private static string StateColour(string state) => state switch
    {
        "running" => "\u001b[32m",
        "failed" => "\u001b[31m",
        "backoff" or "stopping" or "starting" or "pending" => "\u001b[33m",
        _ => "\u001b[90m",
    };

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
