using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.Cluster;

/// <summary>The worker guardian dying while its daemon lives: replaced at once, and a node that cannot keep one fences itself.</summary>
[Collection(PostgresCollection.Name)]
public class ClusterGuardianTests
{
    private const int Started = 710, Replaced = 711, GaveUp = 714;

    private static int GuardianPid(DaemonRunner.LogEntry started) => started.State.GetProperty("Pid").GetInt32();

    [Fact]
    public async Task AKilledGuardian_IsReplacedAtOnce_AndAKillNineOfTheDaemonStillEndsItsWorkers()
    {
        await using var cluster = await ClusterHarness.CreateAsync(3);
        var node = await cluster.StartNodeAsync("a");
        await cluster.AllRunningOnceAsync("the bots on node a");
        int first = GuardianPid(await node.WaitForAsync(Started));
        var workers = cluster.Bots.Select(b => cluster.Sampler.Current[b].Single().Pid).ToList();

        int mark = node.Mark;
        Processes.Kill(first, "KILL");
        int second = GuardianPid(await node.WaitForAsync(Started, after: mark));
        Assert.NotEqual(first, second);
        var replaced = await node.WaitForAsync(Replaced, after: mark);
        Assert.Contains($"guardian {second} took its place", replaced.Message, StringComparison.Ordinal);
        Assert.True(Processes.IsAlive(second), "the new guardian is not running");
        Assert.All(workers, pid => Assert.True(Processes.IsAlive(pid), $"worker {pid} ended with the old guardian")); // nothing else changes

        // The daemon dies: the new guardian ends its workers, as the first would have.
        Processes.Kill(node.Pid, "KILL");
        await cluster.Sampler.WaitUntilAsync(_ => !workers.Any(Processes.IsAlive), "the killed daemon's workers ended by the new guardian", TestTimeouts.Event);
        await cluster.Sampler.WaitUntilAsync(_ => !Processes.IsAlive(second), "the guardian done", TestTimeouts.Event);
    }

    [Fact]
    public async Task AGuardianThatKeepsDying_FencesTheNode_ItsBotsAreHandedOver_AndTheDaemonExitsWithStatusOne()
    {
        await using var cluster = await ClusterHarness.CreateAsync(4);
        await Task.WhenAll(cluster.StartNodeAsync("a"), cluster.StartNodeAsync("b"));
        await cluster.AllRunningOnceAsync("the bots on two nodes");
        var node = cluster["a"];

        // Killed again as soon as it is replaced: the sixth end within the start limit's ten seconds is one too many.
        int mark = 0;
        for (int kill = 0; kill <= 5; kill++)
        {
            int pid = GuardianPid(await node.WaitForAsync(Started, after: mark));
            mark = node.Mark;
            Processes.Kill(pid, "KILL");
        }
        var gaveUp = await node.WaitForAsync(GaveUp, after: mark);
        Assert.Contains("hands its bots over", gaveUp.Message, StringComparison.Ordinal);
        Assert.Equal(1, await node.WaitForExitAsync());

        // Fenced cleanly: the bots run on b, each once, and never twice meanwhile.
        await cluster.AllRunningOnceAsync("every bot running on b");
        Assert.Equal(cluster.Bots.Count, (await cluster.HoldersAsync())["b"].Count);
        Assert.True(cluster.Overlaps().Count == 0, ClusterHarness.Describe(cluster.Overlaps()));
        var events = await DaemonRunner.RunCliAsync("events", "-n", "200", "--state-dir", cluster["b"].StateDir);
        Assert.Contains("cannot be kept", events.Stdout, StringComparison.Ordinal); // the cluster's event log says why node a left
    }
}
