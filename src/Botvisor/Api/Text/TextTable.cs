using System.Text;

namespace Botvisor.Api.Text;

/// <summary>Aligned columns for people, with the state column coloured on request (ANSI).</summary>
internal static class TextTable
{
    /// <summary>The last column is never cut below this many characters.</summary>
    private const int MinLastColumn = 12;

    /// <summary>
    /// Appends <paramref name="headers"/> and <paramref name="rows"/> with every column as wide as its widest cell.
    /// With a <paramref name="width"/>, the columns of <paramref name="dropOrder"/> are left out, first to last,
    /// until the table fits, and then the last column is cut short with '…'.
    /// </summary>
    public static void Write(StringBuilder sb, string[] headers, IReadOnlyList<string[]> rows, int colourColumn = -1, int? width = null, int[]? dropOrder = null)
    {
        var widths = new int[headers.Length];
        for (int i = 0; i < headers.Length; i++) widths[i] = headers[i].Length;
        foreach (var row in rows)
        {
            for (int i = 0; i < row.Length; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        }
        if (width is { } max && max > 0)
        {
            var keep = Enumerable.Range(0, headers.Length).ToList();
            int Total() => keep.Sum(i => widths[i]) + 2 * (keep.Count - 1);
            foreach (var drop in dropOrder ?? [])
            {
                if (Total() <= max) break;
                keep.Remove(drop);
            }
            if (keep.Count < headers.Length)
            {
                headers = [.. keep.Select(i => headers[i])];
                rows = [.. rows.Select(r => keep.Select(i => r[i]).ToArray())];
                colourColumn = keep.IndexOf(colourColumn);
                widths = [.. keep.Select(i => widths[i])];
            }
            int last = widths.Length - 1;
            int room = max - (widths.Sum() - widths[last] + 2 * last);
            if (widths[last] > room)
            {
                int cut = Math.Max(MinLastColumn, room);
                rows = [.. rows.Select(r => r[last].Length <= cut ? r : [.. r[..last], r[last][..(cut - 1)] + "…"])];
            }
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
