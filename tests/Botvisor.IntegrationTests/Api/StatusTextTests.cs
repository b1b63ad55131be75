using System.Text;
using Botvisor.Api.Contracts;
using Botvisor.Api.Text;

namespace Botvisor.IntegrationTests.Api;

/// <summary>The tables the daemon renders for <c>Accept: text/plain</c> (what <c>botvisor status</c> and <c>ls</c> print).</summary>
public class StatusTextTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    private static StatusResponse Status(string? cgroups = "cgroup v2 at /sys/fs/cgroup/x") => new(
        new DaemonStatus
        {
            Pid = 42, Version = "1.2.3", StartedAt = Now, UptimeSeconds = 3725, Config = "/etc/botvisor.yaml", StateDirectory = "/var/lib/botvisor",
            Bots = 2, States = new() { ["running"] = 1, ["backoff"] = 1 }, Cgroups = cgroups is null ? null : new CgroupsInfo(true, "/sys/fs/cgroup/x", ["cpu", "memory"], "cgroup", "cgroup", cgroups),
        },
        [
            new BotStatus
            {
                Id = "alpha", State = "running", Reason = "worker started (pid 7)", Pid = 7, UptimeSeconds = 75.5, Restarts = 3, Health = "healthy",
                LastExit = new ExitInfo(1, 1, null, "exited with code 1"), Token = "123:****", Username = "@alpha_bot", Conflicts = 2, StatusText = "polling",
                Resources = new ResourceInfo(1048576, 12.5, 2, Now), Limits = new LimitsInfo(268435456, "cgroup", 0.5, "not enforced", "/x"),
                Source = "/etc/botvisor.yaml", Command = ["python3", "bot.py"],
            },
            new BotStatus { Id = "beta", State = "backoff", Reason = "crashed", Source = "api" },
        ]);

    [Fact]
    public void Status_HasTheDaemonLines_ThenOneAlignedRowPerBot()
    {
        var sb = new StringBuilder();
        StatusText.Status(sb, Status(), colour: false, verbose: true);
        var lines = sb.ToString().Split('\n');

        Assert.Equal("botvisor 1.2.3, pid 42, up 1h2m; 2 bot(s): 1 backoff, 1 running", lines[0]);
        Assert.Equal("fleet /etc/botvisor.yaml; state /var/lib/botvisor", lines[1]);
        Assert.Equal("limits: cgroup v2 at /sys/fs/cgroup/x", lines[2]);
        Assert.Equal("", lines[3]);
        Assert.Equal(
            "BOT    STATE    HEALTH   PID  UPTIME  RESTARTS  MEMORY                    CPU                         LAST EXIT           TELEGRAM                  SOURCE         REASON",
            lines[4]);
        Assert.Equal(
            "alpha  running  healthy  7    1m15s   3         1 MiB / 256 MiB (cgroup)  12.5% / 50% (not enforced)  exited with code 1  @alpha_bot (2 conflicts)  botvisor.yaml  worker started (pid 7) [polling]",
            lines[5]);
        Assert.Equal(
            "beta   backoff  unknown  -    -       0         -                         -                           -                   -                         api            crashed",
            lines[6]);
        Assert.Equal("", lines[7]);
        Assert.Equal(8, lines.Length);
    }

    [Fact]
    public void Status_SaysHowLimitsAreEnforced_OnlyWhenVerbose()
    {
        var sb = new StringBuilder();
        StatusText.Status(sb, Status(), colour: false);
        var text = sb.ToString();
        Assert.DoesNotContain("limits:", text);
        Assert.DoesNotContain("cgroup v2 at", text);
        Assert.Contains("(cgroup)", text); // per bot, the enforcement stays in its column
    }

    [Fact]
    public void Status_FitsAWidth_LeavingOutWideColumns_AndCuttingTheReason()
    {
        var sb = new StringBuilder();
        StatusText.Status(sb, Status(), colour: false, width: 80);
        var lines = sb.ToString().Split('\n');
        Assert.Equal("BOT    STATE    HEALTH   PID  UPTIME  RESTARTS  REASON", lines[3]);
        Assert.Equal("alpha  running  healthy  7    1m15s   3         worker started (pid 7) [polling]", lines[4]);
        Assert.All(lines.Skip(3), l => Assert.True(l.Length <= 80, l));

        var narrow = new StringBuilder();
        StatusText.Status(narrow, Status(), colour: false, width: 50);
        var row = narrow.ToString().Split('\n')[4];
        Assert.Equal(50, row.Length);
        Assert.EndsWith("…", row);

        var wide = new StringBuilder();
        StatusText.Status(wide, Status(), colour: false, width: 400);
        Assert.Contains("LAST EXIT", wide.ToString());
    }

    [Fact]
    public void Status_WithoutLimits_HasNoLimitsLine_AndColourOnlyWhenAsked()
    {
        var status = Status();
        status = status with { Bots = [.. status.Bots.Select(b => b with { Limits = null })] };
        var plain = new StringBuilder();
        StatusText.Status(plain, status, colour: false);
        Assert.DoesNotContain("limits:", plain.ToString());
        Assert.DoesNotContain("\u001b[", plain.ToString());

        var coloured = new StringBuilder();
        StatusText.Status(coloured, status, colour: true);
        Assert.Contains("\u001b[32mrunning\u001b[0m", coloured.ToString());
        Assert.Contains("\u001b[33mbackoff\u001b[0m", coloured.ToString());
        Assert.DoesNotContain("\u001b[32mSTATE", coloured.ToString());
    }

    [Fact]
    public void Bots_ListsIdStatePidSourceAndCommand()
    {
        var sb = new StringBuilder();
        StatusText.Bots(sb, Status().Bots, colour: false);
        Assert.Equal(
            "BOT    STATE    PID  SOURCE         COMMAND\n" +
            "alpha  running  7    botvisor.yaml  python3 bot.py\n" +
            "beta   backoff  -    api\n",
            sb.ToString());
    }

    [Theory]
    [InlineData(null, "-")]
    [InlineData(59.9, "59s")]
    [InlineData(61.0, "1m1s")]
    [InlineData(7322.0, "2h2m")]
    [InlineData(180000.0, "2d2h")]
    public void Duration_IsShortAndHuman(double? seconds, string expected) => Assert.Equal(expected, StatusText.Duration(seconds));
}
