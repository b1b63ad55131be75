using System.Runtime.InteropServices;
using Botvisor.Core.Native;

namespace Botvisor.Core.Supervision;

/// <summary>Signals to a whole process group, and whether any member is left.</summary>
public static class ProcessGroup
{
    /// <summary>Sends <paramref name="signal"/> to every process of group <paramref name="pgid"/>; false when the group is gone.</summary>
    public static bool Signal(int pgid, int signal)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pgid, 1);
        return LibC.kill(-pgid, signal) == 0;
    }

    /// <summary>Whether any process (a zombie included) is left in the group.</summary>
    public static bool IsAlive(int pgid)
    {
        if (pgid <= 1) return false;
        if (LibC.kill(-pgid, 0) == 0) return true;
        return Marshal.GetLastPInvokeError() == LibC.EPERM;
    }

    public static bool IsProcessAlive(int pid) => pid > 1 && (LibC.kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == LibC.EPERM);

    public static bool SignalProcess(int pid, int signal) => pid > 1 && LibC.kill(pid, signal) == 0;
}
