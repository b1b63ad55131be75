using System.Diagnostics;
using System.Globalization;

namespace Botvisor.IntegrationTests.Runners;

/// <summary>Looks at and signals processes the way an operator would: /proc and kill(1).</summary>
internal static class Processes
{
    /// <summary>Whether the pid is a live (not zombie) process.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static void Kill(int pid, string signal = "KILL")
    {
        using var kill = Process.Start("kill", ["-s", signal, pid.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }
}
