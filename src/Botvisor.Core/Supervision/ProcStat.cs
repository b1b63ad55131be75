using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Botvisor.Core.Supervision;

/// <summary>Reads the fields of <c>/proc/PID/stat</c> that supervision needs.</summary>
public readonly record struct ProcStat(int Pid, char State, int ParentPid, int ProcessGroup, int Session, ulong StartTime, ulong UserTicks, ulong SystemTicks, long RssPages)
{
    /// <summary>Reads one stat file into a stack buffer: no stream, no string (the sampler reads thousands per pass).</summary>
    public static ProcStat? Read(int pid)
    {
        Span<byte> buffer = stackalloc byte[1024];
        int n;
        try
        {
            using SafeFileHandle handle = File.OpenHandle(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/stat"));
            n = RandomAccess.Read(handle, buffer, 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return Parse(buffer[..n]);
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
