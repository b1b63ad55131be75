using System.Globalization;

namespace Botvisor.Core.Configuration;

/// <summary>Durations as people write them: <c>250ms</c>, <c>10s</c>, <c>5m</c>, <c>1h</c>, <c>1m30s</c>.</summary>
public static class DurationParser
{
    public static bool TryParse(string text, out TimeSpan value, out string? error)
    {
        value = TimeSpan.Zero;
        error = null;
        var s = text.Trim();
        if (s.Length == 0)
        {
            error = "a duration is empty; write it like 250ms, 10s, 5m or 1h";
            return false;
        }

        int i = 0;
        double totalMs = 0;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (i == start)
            {
                error = $"'{text}' is not a duration; write it like 250ms, 10s, 5m or 1h";
                return false;
            }
            if (!double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
            {
                error = $"'{text}' is not a duration; write it like 250ms, 10s, 5m or 1h";
                return false;
            }
            while (i < s.Length && s[i] == ' ') i++;
            int unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i])) i++;
            var unit = s.AsSpan(unitStart, i - unitStart);
            double factor;
            if (unit.SequenceEqual("ms")) factor = 1;
            else if (unit.SequenceEqual("s")) factor = 1000;
            else if (unit.SequenceEqual("m")) factor = 60_000;
            else if (unit.SequenceEqual("h")) factor = 3_600_000;
            else if (unit.IsEmpty)
            {
                error = $"'{text}' has no unit; write it like 250ms, 10s, 5m or 1h";
                return false;
            }
            else
            {
                error = $"'{text}' has an unknown unit '{unit}'; use ms, s, m or h";
                return false;
            }
            totalMs += number * factor;
            while (i < s.Length && s[i] == ' ') i++;
        }

        if (totalMs > TimeSpan.FromDays(365).TotalMilliseconds)
        {
            error = $"'{text}' is longer than a year";
            return false;
        }
        value = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException(error);

    /// <summary>The shortest exact form: <c>1m30s</c>, <c>250ms</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero) return "0s";
        var parts = new System.Text.StringBuilder();
        long ms = (long)value.TotalMilliseconds;
        if (ms >= 3_600_000) { parts.Append(ms / 3_600_000).Append('h'); ms %= 3_600_000; }
        if (ms >= 60_000) { parts.Append(ms / 60_000).Append('m'); ms %= 60_000; }
        if (ms >= 1000) { parts.Append(ms / 1000).Append('s'); ms %= 1000; }
        if (ms > 0) parts.Append(ms).Append("ms");
        return parts.ToString();
    }
}
