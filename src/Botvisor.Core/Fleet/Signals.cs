namespace Botvisor.Core.Fleet;

/// <summary>Linux signal numbers and names (x86-64 and arm64 agree on these).</summary>
public static class Signals
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGQUIT = 3;
    public const int SIGKILL = 9;
    public const int SIGUSR1 = 10;
    public const int SIGUSR2 = 12;
    public const int SIGTERM = 15;
    public const int SIGCONT = 18;

    private static readonly (string Name, int Number)[] Known =
    [
        ("SIGHUP", SIGHUP), ("SIGINT", SIGINT), ("SIGQUIT", SIGQUIT), ("SIGKILL", SIGKILL),
        ("SIGUSR1", SIGUSR1), ("SIGUSR2", SIGUSR2), ("SIGTERM", SIGTERM),
        ("SIGABRT", 6), ("SIGSEGV", 11), ("SIGPIPE", 13), ("SIGALRM", 14), ("SIGWINCH", 28),
    ];

    /// <summary>Signals that make sense as a stop signal.</summary>
    public static readonly IReadOnlyList<string> StopSignalNames = ["SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGKILL", "SIGUSR1", "SIGUSR2"];

    /// <summary>Accepts <c>SIGTERM</c>, <c>TERM</c> or <c>15</c>.</summary>
    public static bool TryParseStopSignal(string text, out int number)
    {
        string name = text.Trim().ToUpperInvariant();
        if (!name.StartsWith("SIG", StringComparison.Ordinal) && !int.TryParse(name, out _)) name = "SIG" + name;
        if (int.TryParse(name, out int parsed))
        {
            number = parsed;
            return Array.Exists(Known, k => k.Number == parsed && StopSignalNames.Contains(k.Name));
        }
        foreach (var (n, num) in Known)
        {
            if (n == name && StopSignalNames.Contains(n))
            {
                number = num;
                return true;
            }
        }
        number = 0;
        return false;
    }

    public static string Name(int number)
    {
        foreach (var (n, num) in Known)
        {
            if (num == number) return n;
        }
        return "SIG" + number.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
