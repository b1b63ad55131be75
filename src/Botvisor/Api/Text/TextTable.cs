using System.Text;

namespace Botvisor.Api.Text;

/// <summary>Aligned columns for people, with the state column coloured on request (ANSI).</summary>
internal static class TextTable
{
    /// <summary>Appends <paramref name="headers"/> and <paramref name="rows"/> with every column as wide as its widest cell.</summary>
    public static void Write(StringBuilder sb, string[] headers, IReadOnlyList<string[]> rows, int colourColumn = -1)
    {
        var widths = new int[headers.Length];
        for (int i = 0; i < headers.Length; i++) widths[i] = headers[i].Length;
        foreach (var row in rows)
        {
            for (int i = 0; i < row.Length; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        }
        Line(sb, headers, widths, -1);
        foreach (var row in rows) Line(sb, row, widths, colourColumn);
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
        "backoff" or "stopping" or "starting" or "pending" or "waiting" => "\u001b[33m",
        _ => "\u001b[90m",
    };
}
