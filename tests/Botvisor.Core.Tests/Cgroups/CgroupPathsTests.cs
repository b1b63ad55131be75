using Botvisor.Core.Cgroups;
using Botvisor.Core.Fleet;
using Botvisor.Core.Supervision;

namespace Botvisor.Core.Tests.Cgroups;

public class CgroupPathsTests
{
    private const string Unified = """
        22 1 259:1 / / rw,relatime shared:1 - ext4 /dev/root rw
        25 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
        26 22 0:5 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
        """;

    private const string Hybrid = """
        30 29 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        31 30 0:27 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        40 30 0:36 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    [Fact]
    public void FindMount_UnifiedAndHybridLayouts()
    {
        Assert.Equal(("/sys/fs/cgroup", "/"), CgroupPaths.FindMount(Unified));
        Assert.Equal(("/sys/fs/cgroup/unified", "/"), CgroupPaths.FindMount(Hybrid));
        Assert.Null(CgroupPaths.FindMount("31 30 0:27 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory"));
    }

    [Fact]
    public void FindMount_UnescapesOctalSequences()
    {
        var mount = CgroupPaths.FindMount(@"40 30 0:36 /my\040root /mnt/cg\0402 rw - cgroup2 cgroup2 rw");
        Assert.Equal(("/mnt/cg 2", "/my root"), mount);
    }

    [Fact]
    public void OwnCgroup_IsTheV2Line()
    {
        Assert.Equal("/system.slice/botvisor.service", CgroupPaths.OwnCgroup("4:memory:/x\n0::/system.slice/botvisor.service\n"));
        Assert.Null(CgroupPaths.OwnCgroup("4:memory:/x\n1:cpu:/\n"));
    }

    [Theory]
    [InlineData("/sys/fs/cgroup", "/", "/", "/sys/fs/cgroup")]
    [InlineData("/sys/fs/cgroup", "/", "/system.slice/b.service", "/sys/fs/cgroup/system.slice/b.service")]
    [InlineData("/sys/fs/cgroup", "/docker/abc", "/docker/abc", "/sys/fs/cgroup")]
    [InlineData("/sys/fs/cgroup", "/docker/abc", "/docker/abc/sub", "/sys/fs/cgroup/sub")]
    [InlineData("/sys/fs/cgroup", "/docker/abc", "/docker/abcdef", null)]
    public void Directory_MapsTheCgroupUnderTheMountsRoot(string mountPoint, string root, string cgroup, string? expected) =>
        Assert.Equal(expected, CgroupPaths.Directory(mountPoint, root, cgroup));

    [Theory]
    [InlineData(0.5, "50000 100000")]
    [InlineData(2, "200000 100000")]
    [InlineData(0.001, "1000 100000")]
    public void CpuMax_IsAQuotaPerPeriod(double cpus, string expected) => Assert.Equal(expected, BotCgroup.CpuMaxValue(cpus));

    [Fact]
    public void WorkerArgv_JoinsTheCgroupAndSetsWatchdogPid_OnlyWhenNeeded()
    {
        var spec = new BotSpec { Id = "b", Command = ["python3", "bot.py"], WorkingDirectory = "/" };
        Assert.Equal(["python3", "bot.py"], WorkerCommand.Argv(spec));

        var joined = WorkerCommand.Argv(spec, "/cg/b.bot/cgroup.procs");
        Assert.Equal(["/bin/sh", "-c", "echo $$ > \"$0\" || exit 126; exec \"$@\"", "/cg/b.bot/cgroup.procs", "python3", "bot.py"], joined);

        var both = WorkerCommand.Argv(spec with { Watchdog = TimeSpan.FromSeconds(1) }, "/cg/b.bot/cgroup.procs");
        Assert.Equal("echo $$ > \"$0\" || exit 126; WATCHDOG_PID=$$; export WATCHDOG_PID; exec \"$@\"", both[2]);
    }
}
