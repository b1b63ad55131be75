namespace Botvisor.Cli;

/// <summary>What the CLI prints: the daemon's documents as they came, colour only on a terminal.</summary>
internal static class Output
{
    public static bool Colour => !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;

    /// <summary>The terminal's width when stdout is one ($COLUMNS first); null when the output goes to a file or pipe.</summary>
    public static int? TerminalWidth()
    {
        if (Console.IsOutputRedirected) return null;
        if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out int columns) && columns > 0) return columns;
        try
        {
            return Console.WindowWidth is > 0 and var w ? w : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Prints a JSON document from the daemon as it came, followed by a newline; returns <see cref="ExitCodes.Ok"/>.</summary>
    public static int Json(ReadOnlySpan<byte> utf8)
    {
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(utf8);
        stdout.Write("\n"u8);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Prints text from the daemon as it came, in one write (<see cref="Console.Out"/> flushes every
    /// 256 bytes: a 1,000-bot table would be 500 writes); returns <see cref="ExitCodes.Ok"/>.
    /// </summary>
    public static int Text(ReadOnlySpan<byte> utf8)
    {
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(utf8);
        return ExitCodes.Ok;
    }
}
