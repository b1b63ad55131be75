using Botvisor.Core.Native;
using Botvisor.Core.Supervision;

namespace Botvisor.Core.Health;

/// <summary>
/// The resource sampler's pass over /proc: lists the pids with <c>getdents64</c> and reads each
/// <c>/proc/PID/stat</c>. The stat files of the fleet's own processes stay open from one pass to the
/// next and are read again with one <c>pread</c>: opening a /proc file (path walk, pid lookup, file
/// allocation) costs the kernel more than producing its text, so an idle fleet of a thousand bots
/// costs about half the CPU. An open stat file belongs to its process, not to its number: once the
/// process is gone, reading fails (ESRCH) even if the number is taken again, and the file is reopened.
/// </summary>
/// <remarks>Not thread-safe: one pass at a time (the sampler holds its lock).</remarks>
internal sealed unsafe class ProcScan : IDisposable
{
    /// <summary>Open stat files kept at most, so a fleet with very many processes never runs the daemon out of descriptors.</summary>
    public const int MaxOpenFiles = 4096;

    private const int DirentBufferSize = 32 * 1024;
    private const int DirentNameOffset = 19; // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name

    private readonly Dictionary<int, (int Fd, uint Pass)> _open = new();
    private readonly byte[] _dirents = new byte[DirentBufferSize];
    private uint _pass;

    public int OpenFiles => _open.Count;

    /// <summary>Reads every process once; <paramref name="visit"/> gets those whose session <paramref name="isTracked"/> accepts.</summary>
    public void Scan(Func<int, bool> isTracked, Action<ProcStat> visit)
    {
        _pass++;
        int dir;
        fixed (byte* proc = "/proc\0"u8)
        {
            dir = LibC.open(proc, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        }
        if (dir < 0) return;
        try
        {
            fixed (byte* entries = _dirents)
            {
                nint n;
                while ((n = LibC.getdents64(dir, entries, DirentBufferSize)) > 0)
                {
                    for (int at = 0; at < n;)
                    {
                        int length = *(ushort*)(entries + at + 16);
                        byte* name = entries + at + DirentNameOffset;
                        if (TryParsePid(name, out int pid)) Visit(dir, pid, name, isTracked, visit);
                        at += length;
                    }
                }
            }
        }
        finally
        {
            LibC.close(dir);
        }
        CloseUnlisted();
    }

    private void Visit(int dir, int pid, byte* name, Func<int, bool> isTracked, Action<ProcStat> visit)
    {
        ProcStat? stat = null;
        if (_open.Remove(pid, out var kept))
        {
            stat = ProcStat.ReadFrom(kept.Fd);
            if (stat is { } s && isTracked(s.Session))
            {
                _open[pid] = (kept.Fd, _pass);
                visit(s);
                return;
            }
            LibC.close(kept.Fd);
            if (stat is not null) return; // still there, no longer ours
        }

        int fd = OpenStat(dir, name);
        if (fd < 0) return; // gone between the listing and now
        stat = ProcStat.ReadFrom(fd);
        if (stat is { } fresh && isTracked(fresh.Session))
        {
            if (_open.Count < MaxOpenFiles)
            {
                _open[pid] = (fd, _pass);
                fd = -1;
            }
            visit(fresh);
        }
        if (fd >= 0) LibC.close(fd);
    }

    private static int OpenStat(int dir, byte* name)
    {
        // "<pid>/stat" relative to the open /proc: a shorter path walk than the absolute path.
        byte* path = stackalloc byte[24];
        int i = 0;
        for (; name[i] != 0; i++) path[i] = name[i];
        "/stat\0"u8.CopyTo(new Span<byte>(path + i, 6));
        return LibC.openat(dir, path, LibC.O_RDONLY | LibC.O_CLOEXEC);
    }

    private static bool TryParsePid(byte* name, out int pid)
    {
        pid = 0;
        int i = 0;
        for (; name[i] != 0; i++)
        {
            uint digit = (uint)(name[i] - (byte)'0');
            if (digit > 9 || i >= 9) return false;
            pid = pid * 10 + (int)digit;
        }
        return i > 0;
    }

    /// <summary>Closes the files of processes this pass did not list (they have ended).</summary>
    private void CloseUnlisted()
    {
        foreach (var (pid, kept) in _open)
        {
            if (kept.Pass == _pass) continue;
            LibC.close(kept.Fd);
            _open.Remove(pid);
        }
    }

    public void Dispose()
    {
        foreach (var (_, kept) in _open) LibC.close(kept.Fd);
        _open.Clear();
    }
}
