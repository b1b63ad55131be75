using System.Runtime.InteropServices;

namespace Botvisor.Hosting;

/// <summary>
/// Each worker holds two sockets in the daemon (stdout, stderr); a thousand bots need more than the
/// usual soft limit of 1024 descriptors, so the daemon raises its soft limit to the hard limit, as
/// systemd does for itself.
/// </summary>
internal static partial class FileDescriptorLimit
{
    private const int RLIMIT_NOFILE = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit")]
    private static partial int SetRLimit(int resource, in RLimit limit);

    public static void Raise()
    {
        if (GetRLimit(RLIMIT_NOFILE, out var limit) != 0 || limit.Current >= limit.Max) return;
        limit.Current = limit.Max;
        _ = SetRLimit(RLIMIT_NOFILE, limit);
    }
}
