using System.Globalization;
using Botvisor.Core.Fleet;
using Botvisor.Core.Native;

namespace Botvisor.Core.Cgroups;

/// <summary>
/// One bot's cgroup v2 directory: its limits (<c>memory.max</c>, <c>cpu.max</c>), its members, whether
/// the kernel's OOM killer ended something in it, and <c>cgroup.kill</c>. The directory lives as long
/// as the bot (each new worker joins it again), so a restart costs no mkdir.
/// </summary>
public sealed class BotCgroup
{
    /// <summary>cpu.max's period: 100 ms, as systemd uses for CPUQuota=.</summary>
    public const long CpuPeriodMicroseconds = 100_000;

    private readonly IReadOnlySet<string> _controllers;

    internal BotCgroup(string path, IReadOnlySet<string> controllers)
    {
        Path = path;
        _controllers = controllers;
    }

    public string Path { get; }

    /// <summary>The file a process writes its pid to in order to join the cgroup.</summary>
    public string ProcsFile => System.IO.Path.Combine(Path, "cgroup.procs");

    public bool HasMemoryController => _controllers.Contains("memory");
    public bool HasCpuController => _controllers.Contains("cpu");

    /// <summary>Creates the directory if it is missing.</summary>
    public void Create() => Directory.CreateDirectory(Path);

    /// <summary>
    /// Writes the bot's limits (or "max" where it has none, so a limit removed by a reload is lifted).
    /// memory_max also bounds swap, so a leaking bot is ended rather than swapped out, and the OOM
    /// killer ends the bot's whole group together (memory.oom.group), as systemd does.
    /// </summary>
    public void ApplyLimits(long? memoryMax, double? cpuMax)
    {
        if (HasMemoryController)
        {
            Write("memory.max", memoryMax is { } m ? m.ToString(CultureInfo.InvariantCulture) : "max");
            if (File.Exists(System.IO.Path.Combine(Path, "memory.swap.max"))) Write("memory.swap.max", memoryMax is null ? "max" : "0");
            Write("memory.oom.group", "1");
        }
        if (HasCpuController)
        {
            Write("cpu.max", cpuMax is { } c ? CpuMaxValue(c) : "max " + CpuPeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The cpu.max line for a quota in CPUs: 0.5 → "50000 100000".</summary>
    public static string CpuMaxValue(double cpus) => string.Create(CultureInfo.InvariantCulture,
        $"{Math.Max(1000, (long)Math.Round(cpus * CpuPeriodMicroseconds))} {CpuPeriodMicroseconds}");

    /// <summary>Whether any process is in the cgroup (cgroup.events: populated).</summary>
    public bool IsPopulated => ReadKey("cgroup.events", "populated") is > 0;

    /// <summary>How many processes the OOM killer has ended in this cgroup (memory.events oom_kill).</summary>
    public long OomKills => ReadKey("memory.events", "oom_kill") ?? 0;

    /// <summary>The pids in the cgroup.</summary>
    public IReadOnlyList<int> Processes()
    {
        var pids = new List<int>();
        try
        {
            foreach (var line in File.ReadLines(ProcsFile))
            {
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) pids.Add(pid);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return pids;
    }

    /// <summary>
    /// Sends <paramref name="signal"/> to every member that is not in process group <paramref name="exceptGroup"/>
    /// (that group is signalled on its own), then SIGCONT so a stopped one sees it; returns how many were signalled.
    /// </summary>
    public int SignalOutside(int exceptGroup, int signal)
    {
        int count = 0;
        foreach (var pid in Processes())
        {
            if (LibC.getpgid(pid) == exceptGroup || LibC.kill(pid, signal) != 0) continue;
            if (signal != Signals.SIGCONT) LibC.kill(pid, Signals.SIGCONT);
            count++;
        }
        return count;
    }

    /// <summary>SIGKILLs every member at once with cgroup.kill (Linux 5.14+), else one by one.</summary>
    public void Kill()
    {
        try
        {
            Write("cgroup.kill", "1");
            return;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        foreach (var pid in Processes()) LibC.kill(pid, Signals.SIGKILL);
    }

    /// <summary>Removes the directory; false while something is still in it.</summary>
    public bool TryRemove()
    {
        try
        {
            Directory.Delete(Path);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private void Write(string file, string value) => CgroupFile.Write(System.IO.Path.Combine(Path, file), value);

    private long? ReadKey(string file, string key) => CgroupFile.ReadKey(System.IO.Path.Combine(Path, file), key);
}
