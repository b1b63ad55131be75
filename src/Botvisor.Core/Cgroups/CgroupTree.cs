using Botvisor.Core.Native;

namespace Botvisor.Core.Cgroups;

/// <summary>
/// The cgroup v2 subtree this daemon manages: one child cgroup per bot that has <c>memory_max</c> or
/// <c>cpu_max</c>, named <c>&lt;bot&gt;.bot</c>, with the memory and cpu controllers enabled where the
/// kernel offers them.
/// </summary>
/// <remarks>
/// Where the tree is, as systemd's delegation rules have it (https://systemd.io/CGROUP_DELEGATION/):
/// <list type="bullet">
/// <item>The daemon is in the hierarchy's root (a machine without systemd, a host where it runs as
/// root outside any unit): the tree is a new child of the root, <c>botvisor-&lt;hash of the state directory&gt;</c>.</item>
/// <item>The daemon's cgroup is delegated to it (systemd's <c>Delegate=yes</c> marks it with the
/// <c>trusted.delegate</c> or <c>user.delegate</c> attribute): the tree is that cgroup, and the daemon
/// moves itself into its <c>supervisor</c> child first, because cgroup v2 lets only a cgroup without
/// processes of its own give controllers to its children.</item>
/// <item>Any other cgroup belongs to someone else (a login session, a unit without delegation):
/// Botvisor leaves it alone and enforces memory_max by watching RSS instead.</item>
/// </list>
/// </remarks>
public sealed class CgroupTree : IDisposable
{
    public const string BotSuffix = ".bot";
    private static readonly string[] Wanted = ["memory", "cpu"];

    private readonly bool _removeOnDispose;

    private CgroupTree(string path, IReadOnlySet<string> controllers, bool removeOnDispose)
    {
        Path = path;
        Controllers = controllers;
        _removeOnDispose = removeOnDispose;
    }

    /// <summary>The tree's directory.</summary>
    public string Path { get; }

    /// <summary>The controllers each bot's cgroup has (memory, cpu, or neither).</summary>
    public IReadOnlySet<string> Controllers { get; }

    public BotCgroup ForBot(string botId) => new(System.IO.Path.Combine(Path, botId + BotSuffix), Controllers);

    /// <summary>What the daemon's setting (<c>auto</c>, <c>off</c>, or a cgroup directory) gives on this machine.</summary>
    public static CgroupSupport Open(string setting, string treeName)
    {
        if (setting == "off") return CgroupSupport.Unavailable("turned off (--cgroups off)");
        if (setting != "auto") return OpenAt(setting, removeOnDispose: !Directory.Exists(setting));

        if (CgroupPaths.FindMount(CgroupFile.ReadText("/proc/self/mountinfo") ?? "") is not { } mount)
        {
            return CgroupSupport.Unavailable("cgroup v2 is not mounted");
        }
        if (CgroupPaths.OwnCgroup(CgroupFile.ReadText("/proc/self/cgroup") ?? "") is not { } own
            || CgroupPaths.Directory(mount.MountPoint, mount.Root, own) is not { } ownDirectory)
        {
            return CgroupSupport.Unavailable($"this process's cgroup is not visible under {mount.MountPoint}");
        }
        if (own == "/")
        {
            TryEnableInRoot(ownDirectory);
            return OpenAt(System.IO.Path.Combine(ownDirectory, treeName), removeOnDispose: true);
        }
        if (!IsDelegated(ownDirectory))
        {
            return CgroupSupport.Unavailable(
                $"this process's cgroup {own} is not delegated to it (run Botvisor as a systemd service with Delegate=yes, or pass --cgroups <a cgroup directory it may manage>)");
        }
        return OpenAt(ownDirectory, removeOnDispose: false);
    }

    private static CgroupSupport OpenAt(string path, bool removeOnDispose)
    {
        try
        {
            Directory.CreateDirectory(path);
            if (!File.Exists(System.IO.Path.Combine(path, "cgroup.procs")))
            {
                return CgroupSupport.Unavailable($"{path} is not a cgroup v2 directory");
            }
            MoveSelfOut(path);
            var available = CgroupFile.ReadControllers(System.IO.Path.Combine(path, "cgroup.controllers"));
            var enable = Wanted.Where(available.Contains).ToList();
            if (enable.Count > 0)
            {
                CgroupFile.Write(System.IO.Path.Combine(path, "cgroup.subtree_control"), string.Join(' ', enable.Select(c => "+" + c)));
            }
            var enabled = CgroupFile.ReadControllers(System.IO.Path.Combine(path, "cgroup.subtree_control"));
            enabled.IntersectWith(Wanted);
            CgroupTree? tree = new CgroupTree(path, enabled, removeOnDispose);
            try
            {
                tree.EndLeftovers();
                var support = new CgroupSupport(tree, tree.Describe());
                tree = null; // the support owns it now
                return support;
            }
            finally
            {
                tree?.Dispose();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return CgroupSupport.Unavailable($"cannot manage {path}: {ex.Message}");
        }
    }

    /// <summary>If this process is in <paramref name="path"/> itself, it moves to path/supervisor (no internal processes).</summary>
    private static void MoveSelfOut(string path)
    {
        var procs = CgroupFile.ReadText(System.IO.Path.Combine(path, "cgroup.procs")) ?? "";
        var self = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!procs.Split('\n').Contains(self)) return;
        var supervisor = System.IO.Path.Combine(path, "supervisor");
        Directory.CreateDirectory(supervisor);
        CgroupFile.Write(System.IO.Path.Combine(supervisor, "cgroup.procs"), self);
    }

    /// <summary>The real root may give controllers to its children even with processes in it; systemd normally has.</summary>
    private static void TryEnableInRoot(string root)
    {
        var available = CgroupFile.ReadControllers(System.IO.Path.Combine(root, "cgroup.controllers"));
        var enabled = CgroupFile.ReadControllers(System.IO.Path.Combine(root, "cgroup.subtree_control"));
        foreach (var controller in Wanted.Where(c => available.Contains(c) && !enabled.Contains(c)))
        {
            try
            {
                CgroupFile.Write(System.IO.Path.Combine(root, "cgroup.subtree_control"), "+" + controller);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private static unsafe bool IsDelegated(string path)
    {
        foreach (var name in (string[])["trusted.delegate", "user.delegate"])
        {
            byte value = 0;
            if (LibC.getxattr(path, name, &value, 1) == 1 && value == (byte)'1') return true;
        }
        return false;
    }

    /// <summary>Bot cgroups a killed daemon left populated: whatever is in them is ended (a bot must never run twice).</summary>
    private void EndLeftovers()
    {
        foreach (var dir in Directory.EnumerateDirectories(Path, "*" + BotSuffix))
        {
            var cgroup = new BotCgroup(dir, Controllers);
            if (cgroup.IsPopulated) cgroup.Kill();
        }
    }

    public string Describe() => Controllers.Count == 0
        ? $"cgroup v2 at {Path} without a memory or cpu controller (not offered to it here; on a hybrid host they are bound to cgroup v1): bots get their own cgroup, memory_max is watched and cpu_max is not enforced"
        : $"cgroup v2 at {Path} with {string.Join(" and ", Controllers.Order(StringComparer.Ordinal))}";

    /// <summary>Removes the bots' cgroups that are empty, and the tree if this daemon made it.</summary>
    public void Dispose()
    {
        try
        {
            foreach (var dir in Directory.EnumerateDirectories(Path, "*" + BotSuffix))
            {
                new BotCgroup(dir, Controllers).TryRemove();
            }
            if (_removeOnDispose) Directory.Delete(Path);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Whether per-bot cgroups are available, and what to tell the user about it.</summary>
public sealed record CgroupSupport(CgroupTree? Tree, string Description)
{
    public static CgroupSupport Unavailable(string why) => new(null, "no per-bot cgroups: " + why);
}
