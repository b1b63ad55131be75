namespace Botvisor.Cli;

/// <summary>What the CLI prints: the daemon's documents as they came, colour only on a terminal.</summary>
internal static class Output
{
    public static bool Colour => !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;

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
