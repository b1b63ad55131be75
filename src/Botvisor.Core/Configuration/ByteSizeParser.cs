using System.Globalization;

namespace Botvisor.Core.Configuration;

/// <summary>Sizes such as <c>512KiB</c>, <c>10MiB</c>, <c>1GiB</c>, <c>10MB</c> or a plain byte count.</summary>
public static class ByteSizeParser
{
    public static bool TryParse(string text, out long bytes, out string? error)
    {
        bytes = 0;
        error = null;
        var s = text.Trim();
        int i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
        if (i == 0 || !double.TryParse(s.AsSpan(0, i), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
        {
            error = $"'{text}' is not a size; write it like 512KiB, 10MiB or 1GiB";
            return false;
        }
        string unit = s[i..].Trim();
        double factor = unit.ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" => 1000,
            "KI" or "KIB" => 1024,
            "M" or "MB" => 1000_000,
            "MI" or "MIB" => 1024 * 1024,
            "G" or "GB" => 1000_000_000,
            "GI" or "GIB" => 1024 * 1024 * 1024,
            _ => -1,
        };
        if (factor < 0)
        {
            error = $"'{text}' has an unknown unit '{unit}'; use B, KiB, MiB or GiB";
            return false;
        }
        bytes = (long)(number * factor);
        return true;
    }
}
