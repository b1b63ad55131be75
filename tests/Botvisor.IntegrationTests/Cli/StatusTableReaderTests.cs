using System.Text;
using Botvisor.Cli;

namespace Botvisor.IntegrationTests.Cli;

public class StatusTableReaderTests
{
    private const string Status = """
        {"daemon":{"pid":42,"version":"1.2.3","startedAt":"2026-11-24T10:00:00+00:00","uptimeSeconds":61.5,"config":"/etc/botvisor.yaml",
          "stateDirectory":"/var/lib/botvisor","bots":2,"states":{"running":1,"backoff":1},"cgroups":"cgroup v2 at /sys/fs/cgroup/x","future":{"a":[1,2]}},
         "bots":[
          {"id":"alpha","state":"running","reason":"worker started (pid 7)","pid":7,"uptimeSeconds":12.25,"restarts":3,"health":"healthy",
           "lastExit":{"code":1,"signal":null,"description":"exited with code 1"},"token":"123:****","username":"@alpha_bot","conflicts":2,
           "checks":{"process":{"healthy":true,"message":"running","time":"2026-11-24T10:00:00+00:00"}},
           "resources":{"rssBytes":1048576,"cpuPercent":12.5,"processes":2,"sampledAt":"2026-11-24T10:00:00+00:00"},
           "limits":{"memoryMax":268435456,"memoryEnforcement":"cgroup","cpuMax":0.5,"cpuEnforcement":"not enforced","cgroupPath":"/x"},
           "statusText":"polling","source":"/etc/botvisor.yaml","command":["python3","bot.py"],"dependsOn":["beta"]},
          {"id":"beta","state":"backoff","reason":"crashed","pid":null,"restarts":0,"health":"unknown","source":"api","command":[]}
         ]}
        """;

    [Fact]
    public void ReadStatus_TakesTheTableColumns_AndSkipsEverythingElse()
    {
        var table = StatusTableReader.ReadStatus(Encoding.UTF8.GetBytes(Status));

        var d = table.Daemon;
        Assert.Equal((42, "1.2.3", 61.5, 2), (d.Pid, d.Version, d.UptimeSeconds, d.Bots));
        Assert.Equal(("/etc/botvisor.yaml", "/var/lib/botvisor", "cgroup v2 at /sys/fs/cgroup/x"), (d.Config, d.StateDirectory, d.Cgroups));
        Assert.Equal(new Dictionary<string, int> { ["running"] = 1, ["backoff"] = 1 }, d.States);

        Assert.Equal(["alpha", "beta"], table.Bots.Select(b => b.Id));
        var a = table.Bots[0];
        Assert.Equal(("running", "worker started (pid 7)", "healthy", 7, 12.25, 3), (a.State, a.Reason, a.Health, a.Pid, a.UptimeSeconds, a.Restarts));
        Assert.Equal(("exited with code 1", "123:****", "@alpha_bot", 2, "polling"), (a.LastExit, a.Token, a.Username, a.Conflicts, a.StatusText));
        Assert.Equal((1048576L, 12.5), a.Resources);
        Assert.Equal((268435456L, "cgroup", 0.5, "not enforced"), (a.Limits!.MemoryMax, a.Limits.MemoryEnforcement, a.Limits.CpuMax, a.Limits.CpuEnforcement));
        Assert.Equal(["python3", "bot.py"], a.Command);

        var b = table.Bots[1];
        Assert.Equal(("backoff", null, null, null, null), (b.State, b.Pid, b.LastExit, b.Resources, b.Limits));
        Assert.Equal("api", b.Source);
        Assert.Empty(b.Command);
    }

    [Fact]
    public void ReadBotList_ReadsTheArrayOfGetBots()
    {
        var json = Status[(Status.IndexOf("\"bots\":[", StringComparison.Ordinal) + 7)..Status.LastIndexOf('}')];
        var bots = StatusTableReader.ReadBotList(Encoding.UTF8.GetBytes(json));
        Assert.Equal(["alpha", "beta"], bots.Select(b => b.Id));
        Assert.Equal(["python3", "bot.py"], bots[0].Command);
    }

    [Fact]
    public void ReadStatus_SomethingElse_SaysWhereItStopped()
    {
        var error = Assert.Throws<System.Text.Json.JsonException>(() => StatusTableReader.ReadStatus("[1]"u8));
        Assert.Contains("expected StartObject", error.Message);
    }
}
