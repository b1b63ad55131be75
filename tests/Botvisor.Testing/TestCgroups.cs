using Botvisor.Core.Cgroups;

namespace Botvisor.Testing;

/// <summary>
/// A cgroup v2 tree of its own for one test: a new directory under the machine's cgroup2 mount (or
/// under $BOTVISOR_TEST_CGROUP, a directory delegated to the tests), removed by the harness.
/// </summary>
public static class TestCgroups
{
    public const string Variable = "BOTVISOR_TEST_CGROUP";

    public static CgroupTree Open()
    {
        var parent = Environment.GetEnvironmentVariable(Variable);
        if (parent is null)
        {
            var mount = CgroupPaths.FindMount(File.ReadAllText("/proc/self/mountinfo"))
                ?? throw new InvalidOperationException($"these tests need cgroup v2, which is not mounted here; mount it, or set {Variable} to a cgroup v2 directory the tests may manage");
            parent = mount.MountPoint;
        }
        var path = Path.Combine(parent, "botvisor-test-" + Guid.NewGuid().ToString("N")[..12]);
        var support = CgroupTree.Open(path, treeName: "unused");
        return support.Tree ?? throw new InvalidOperationException(
            $"these tests need a cgroup v2 directory they may write ({support.Description}); run them as root, or set {Variable} to a delegated cgroup v2 directory");
    }
}
