using System.Globalization;

namespace Botvisor.Core.Supervision;

/// <summary>Reads the fields of <c>/proc/PID/stat</c> that supervision needs.</summary>
public readonly record struct ProcStat(int Pid, char State, int ParentPid, int ProcessGroup, int Session, ulong StartTime, ulong UserTicks, ulong SystemTicks, long RssPages)
{
    public static ProcStat? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return Parse(text);
    }

    /// <summary>Parses a stat line; the command name may contain spaces and parentheses, so fields are counted from the last ')'.</summary>
    public static ProcStat? Parse(string text)
    {
        int close = text.LastIndexOf(')');
        if (close < 0) return null;
        var fields = text[(close + 2)..].Split(' ');
        if (fields.Length < 22) return null;
        // fields[0] is field 3 (state) of proc(5).
        return new ProcStat(
            int.Parse(text.AsSpan(0, text.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture),
            fields[0][0],
            int.Parse(fields[1], CultureInfo.InvariantCulture),
            int.Parse(fields[2], CultureInfo.InvariantCulture),
            int.Parse(fields[3], CultureInfo.InvariantCulture),
            ulong.Parse(fields[19], CultureInfo.InvariantCulture),
            ulong.Parse(fields[11], CultureInfo.InvariantCulture),
            ulong.Parse(fields[12], CultureInfo.InvariantCulture),
            long.Parse(fields[21], CultureInfo.InvariantCulture));
    }
}
