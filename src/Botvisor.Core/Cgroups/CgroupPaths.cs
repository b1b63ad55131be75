namespace Botvisor.Core.Cgroups;

/// <summary>
/// Where the cgroup v2 hierarchy is mounted and which cgroup a process is in, from the text of
/// <c>/proc/self/mountinfo</c> and <c>/proc/self/cgroup</c> (pure parsing, so it is tested with fixtures).
/// </summary>
public static class CgroupPaths
{
    /// <summary>The cgroup2 mount: its mount point, and the cgroup path its root shows (not "/" for a bind-mounted subtree).</summary>
    public static (string MountPoint, string Root)? FindMount(string mountInfo)
    {
        foreach (var line in mountInfo.Split('\n'))
        {
            // 36 25 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate
            int dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0) continue;
            var after = line[(dash + 3)..].Split(' ');
            if (after.Length == 0 || after[0] != "cgroup2") continue;
            var before = line[..dash].Split(' ');
            if (before.Length < 5) continue;
            return (Unescape(before[4]), Unescape(before[3]));
        }
        return null;
    }

    /// <summary>The cgroup v2 path ("0::/path") of a process, or null on a v1-only system.</summary>
    public static string? OwnCgroup(string procCgroup)
    {
        foreach (var line in procCgroup.Split('\n'))
        {
            if (line.StartsWith("0::", StringComparison.Ordinal)) return line[3..].TrimEnd();
        }
        return null;
    }

    /// <summary>The directory of cgroup <paramref name="cgroup"/> under a mount whose root is <paramref name="mountRoot"/>; null when the mount does not show it.</summary>
    public static string? Directory(string mountPoint, string mountRoot, string cgroup)
    {
        string relative;
        if (mountRoot == "/") relative = cgroup;
        else if (cgroup == mountRoot) relative = "/";
        else if (cgroup.StartsWith(mountRoot + "/", StringComparison.Ordinal)) relative = cgroup[mountRoot.Length..];
        else return null;
        return relative == "/" ? mountPoint : mountPoint.TrimEnd('/') + relative;
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\')) return field;
        var sb = new System.Text.StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && IsOctal(field[i + 1]) && IsOctal(field[i + 2]) && IsOctal(field[i + 3]))
            {
                sb.Append((char)(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) | (field[i + 3] - '0')));
                i += 3;
            }
            else
            {
                sb.Append(field[i]);
            }
        }
        return sb.ToString();
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
