using System.Globalization;

namespace Botvisor.Core.Configuration;

/// <summary>
/// Sizes with a unit, exactly: IEC (<c>KiB</c>, <c>MiB</c>, <c>GiB</c>, <c>TiB</c>: powers of 1024) or SI
/// (<c>kB</c>, <c>MB</c>, <c>GB</c>, <c>TB</c>: powers of 1000), or <c>B</c> and a plain byte count.
/// <c>100MB</c> is 100,000,000 bytes and <c>100MiB</c> 104,857,600. A bare <c>K</c>, <c>M</c> or <c>G</c>
/// is refused: tools disagree about it (systemd's <c>M</c> is MiB).
/// </summary>
public static class ByteSizeParser
{
    public const string UnitsHelp = "IEC KiB, MiB, GiB, TiB (powers of 1024) or SI kB, MB, GB, TB (powers of 1000), or B";

    public static bool TryParse(string text, out long bytes, out string? error)
    {
        bytes = 0;
        error = null;
        var s = text.Trim();
        int i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
        if (i == 0 || !decimal.TryParse(s.AsSpan(0, i), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number))
        {
            error = $"'{text}' is not a size; write it like 512KiB, 256MiB, 100MB or 1GiB ({UnitsHelp})";
            return false;
        }
        string unit = s[i..].Trim();
        decimal factor = unit switch
        {
            "" or "B" => 1m,
            "kB" or "KB" => 1000m,
            "KiB" => 1024m,
            "MB" => 1000_000m,
            "MiB" => 1024m * 1024,
            "GB" => 1000_000_000m,
            "GiB" => 1024m * 1024 * 1024,
            "TB" => 1000_000_000_000m,
            "TiB" => 1024m * 1024 * 1024 * 1024,
            _ => -1m,
        };
        if (factor < 0)
        {
            var hint = unit.ToUpperInvariant() switch
            {
                "K" or "M" or "G" or "T" => $"; '{unit}' could mean either, so write {unit.ToUpperInvariant().Replace("K", "k", StringComparison.Ordinal)}B or {unit.ToUpperInvariant()}iB",
                "KB" or "MB" or "GB" or "TB" or "KIB" or "MIB" or "GIB" or "TIB" => $" (units are case-sensitive)",
                _ => "",
            };
            error = $"'{text}' has an unknown unit '{unit}'; use {UnitsHelp}{hint}";
            return false;
        }
        decimal exact = number * factor;
        if (exact != decimal.Truncate(exact) || exact > long.MaxValue)
        {
            error = exact > long.MaxValue ? $"'{text}' is too large" : $"'{text}' is not a whole number of bytes";
            return false;
        }
        bytes = (long)exact;
        return true;
    }
}
