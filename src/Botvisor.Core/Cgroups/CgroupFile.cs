using System.Globalization;

namespace Botvisor.Core.Cgroups;

/// <summary>Reads and writes cgroupfs interface files: one small write per value, "key value" lines to read.</summary>
internal static class CgroupFile
{
    /// <summary>Writes <paramref name="value"/> in one write(2), as the kernel expects; errors surface as IOException.</summary>
    public static void Write(string path, string value)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write);
        RandomAccess.Write(handle, System.Text.Encoding.ASCII.GetBytes(value), 0);
    }

    public static string? ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The value of <paramref name="key"/> in a flat-keyed file such as cgroup.events or memory.events.</summary>
    public static long? ReadKey(string path, string key)
    {
        if (ReadText(path) is not { } text) return null;
        foreach (var line in text.Split('\n'))
        {
            int space = line.IndexOf(' ');
            if (space > 0 && line.AsSpan(0, space).SequenceEqual(key)
                && long.TryParse(line.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            {
                return value;
            }
        }
        return null;
    }

    /// <summary>A space-separated controller list (cgroup.controllers, cgroup.subtree_control).</summary>
    public static HashSet<string> ReadControllers(string path) =>
        new((ReadText(path) ?? "").Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
}
