using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Botvisor.Core.Supervision;

/// <summary>
/// Finds the processes that carry a daemon's mark (<c>BOTVISOR_STATE_ID=…</c> in /proc/PID/environ).
/// A worker record is written after its spawn; a daemon killed between the two would leave a worker
/// nobody knows of. The mark is in the worker's environment from its first instruction (posix_spawn
/// passes it to exec) and in everything the worker starts, even in another session, so the next
/// daemon on the same state directory finds every one of them, whatever instant the previous one died at.
/// A program that replaces its own environment (<c>exec env -i …</c>) drops the mark; its record
/// (and, where a bot has one, its cgroup) still finds it.
/// </summary>
public static class WorkerMarks
{
    /// <summary>The most of one environment that is searched; a mark is set by the daemon, usually early in it.</summary>
    private const int MaxEnvironmentBytes = 1 << 20;

    /// <summary>A marked process: its pid, its bot, its session and its start time (field 22 of stat).</summary>
    public readonly record struct MarkedProcess(int Pid, string BotId, int Session, ulong StartTime);

    /// <summary>Every live, readable process whose environment has <c>BOTVISOR_STATE_ID=<paramref name="mark"/></c>, except this process and its session.</summary>
    public static List<MarkedProcess> Find(string mark)
    {
        var needle = Encoding.ASCII.GetBytes(WorkerEnvironment.StateId + "=" + mark + "\0");
        var botKey = Encoding.ASCII.GetBytes(WorkerEnvironment.BotId + "=");
        int self = Environment.ProcessId;
        int selfSession = ProcStat.Read(self)?.Session ?? -1;
        var result = new List<MarkedProcess>();
        var buffer = new byte[64 * 1024];
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid == self) continue;
            int length = ReadEnvironment(pid, ref buffer);
            if (length <= 0) continue;
            var env = buffer.AsSpan(0, length);
            if (!HasVariable(env, needle)) continue;
            if (ProcStat.Read(pid) is not { } stat || stat.State == 'Z' || stat.Session == selfSession) continue;
            result.Add(new MarkedProcess(pid, Value(env, botKey) ?? "?", stat.Session, stat.StartTime));
        }
        return result;
    }

    /// <summary>Whether <paramref name="variable"/> (<c>NAME=value\0</c>) is one of the environment's entries.</summary>
    public static bool HasVariable(ReadOnlySpan<byte> environment, ReadOnlySpan<byte> variable)
    {
        int from = 0;
        while (from < environment.Length)
        {
            int at = environment[from..].IndexOf(variable);
            if (at < 0) return false;
            at += from;
            if (at == 0 || environment[at - 1] == 0) return true;
            from = at + 1;
        }
        return false;
    }

    /// <summary>The value of the entry that starts with <paramref name="prefix"/> (<c>NAME=</c>), if any.</summary>
    public static string? Value(ReadOnlySpan<byte> environment, ReadOnlySpan<byte> prefix)
    {
        int from = 0;
        while (from < environment.Length)
        {
            int end = environment[from..].IndexOf((byte)0);
            var entry = end < 0 ? environment[from..] : environment.Slice(from, end);
            if (entry.StartsWith(prefix)) return Encoding.UTF8.GetString(entry[prefix.Length..]);
            if (end < 0) break;
            from += end + 1;
        }
        return null;
    }

    /// <summary>Reads /proc/PID/environ into <paramref name="buffer"/> (grown up to a bound); 0 when unreadable (gone, another user's, a kernel thread).</summary>
    private static int ReadEnvironment(int pid, ref byte[] buffer)
    {
        SafeFileHandle? handle = null;
        try
        {
            handle = File.OpenHandle($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/environ", FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            int total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (buffer.Length >= MaxEnvironmentBytes) return total;
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
                int n = RandomAccess.Read(handle, buffer.AsSpan(total), total);
                if (n <= 0) return total;
                total += n;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0; // gone, another user's, a kernel thread: not one of ours to find
        }
        finally
        {
            handle?.Dispose();
        }
    }
}
