using System.Globalization;
using System.Text;
using Botvisor.Core.Native;

namespace Botvisor.Core.Supervision;

/// <summary>Reads the fields of <c>/proc/PID/stat</c> that supervision needs.</summary>
public readonly record struct ProcStat(int Pid, char State, int ParentPid, int ProcessGroup, int Session, ulong StartTime, ulong UserTicks, ulong SystemTicks, long RssPages)
{
    /// <summary>The most of a stat file that is read: the fields supervision needs come well before the end.</summary>
    private const int ReadSize = 1024;

    /// <summary>
    /// Reads one stat file with three system calls (open, pread, close) into a stack buffer: no stream,
    /// no string, no advisory lock (the sampler reads thousands per pass, and a restart reads one).
    /// </summary>
    public static unsafe ProcStat? Read(int pid)
    {
        byte* path = stackalloc byte[32];
        if (!TryFormatPath(new Span<byte>(path, 32), pid)) return null;
        int fd = LibC.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0) return null;
        try
        {
            return ReadFrom(fd);
        }
        finally
        {
            LibC.close(fd);
        }
    }

    /// <summary>Reads an open stat file from its start; null once its process is gone (ESRCH).</summary>
    internal static unsafe ProcStat? ReadFrom(int fd)
    {
        byte* buffer = stackalloc byte[ReadSize];
        nint n = LibC.pread(fd, buffer, ReadSize, 0);
        return n > 0 ? Parse(new ReadOnlySpan<byte>(buffer, (int)n)) : null;
    }

    /// <summary>Writes <c>/proc/PID/stat</c> and its terminating NUL.</summary>
    private static bool TryFormatPath(Span<byte> path, int pid)
    {
        "/proc/"u8.CopyTo(path);
        if (!pid.TryFormat(path[6..], out int digits, default, CultureInfo.InvariantCulture)) return false;
        var tail = path[(6 + digits)..];
        if (tail.Length < 6) return false;
        "/stat\0"u8.CopyTo(tail);
        return true;
    }

    public static ProcStat? Parse(string text) => Parse(Encoding.UTF8.GetBytes(text));

    /// <summary>Parses a stat line; the command name may contain spaces and parentheses, so fields are counted from the last ')'.</summary>
    public static ProcStat? Parse(ReadOnlySpan<byte> text)
    {
        int close = text.LastIndexOf((byte)')');
        int space = text.IndexOf((byte)' ');
        if (close < 0 || space < 0 || close + 2 >= text.Length) return null;
        if (!int.TryParse(text[..space], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) return null;
        var rest = text[(close + 2)..];
        // rest field 0 is field 3 (state) of proc(5); we need 0..21.
        Span<Range> fields = stackalloc Range[22];
        int count = 0, start = 0;
        for (int i = 0; i <= rest.Length && count < fields.Length; i++)
        {
            if (i == rest.Length || rest[i] == (byte)' ')
            {
                fields[count++] = new Range(start, i);
                start = i + 1;
            }
        }
        if (count < 22) return null;
        return new ProcStat(
            pid,
            (char)rest[fields[0]][0],
            Int(rest[fields[1]]),
            Int(rest[fields[2]]),
            Int(rest[fields[3]]),
            ULong(rest[fields[19]]),
            ULong(rest[fields[11]]),
            ULong(rest[fields[12]]),
            (long)ULong(rest[fields[21]]));
    }

    private static int Int(ReadOnlySpan<byte> s) => int.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static ulong ULong(ReadOnlySpan<byte> s) => ulong.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);
}
