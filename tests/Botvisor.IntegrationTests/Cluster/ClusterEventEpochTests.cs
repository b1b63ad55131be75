using System.Text.Json;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.Cluster;

/// <summary>The events of a bot whose worker runs under a lease carry the lease's epoch (the issue: "worker records and events carry it").</summary>
[Collection(PostgresCollection.Name)]
public class ClusterEventEpochTests
{
    [Fact]
    public async Task TheLeaseEvents_AndTheWorkersStartExitAndStop_CarryTheEpoch_InTheCliAndItsJson()
    {
        await using var cluster = await ClusterHarness.CreateAsync(2);
        await cluster.StartNodeAsync("a");
        await cluster.AllRunningOnceAsync("both bots running on node a");
        string bot = cluster.Bots[0];
        long epoch = (await cluster.LeasesAsync([bot]))[bot].Epoch;
        Assert.Equal(epoch, cluster.Sampler.Current[bot].Single().Epoch); // the worker's BOTVISOR_LEASE_EPOCH

        // An exit (the worker killed from outside): the exit's state event carries the ended worker's epoch, the restart the same lease's.
        int first = cluster.Sampler.Current[bot].Single().Pid;
        Processes.Kill(first, "KILL");
        await cluster.Sampler.WaitUntilAsync(c => c.TryGetValue(bot, out var w) && w.Count == 1 && w[0].Pid != first, "the bot restarted");
        var stop = await DaemonRunner.RunCliAsync("stop", bot, "--state-dir", cluster["a"].StateDir);
        Assert.True(stop.ExitCode == 0, stop.Stdout + stop.Stderr);

        var events = await EventsAsync(cluster, bot, e => e.State == "stopped");
        var took = Assert.Single(events, e => e.Kind == "node" && e.Message.Contains("took the lease", StringComparison.Ordinal));
        Assert.Equal(epoch, took.Epoch);
        var states = events.Where(e => e.Kind == "state").ToList();
        Assert.Equal(2, states.Count(e => e.State == "starting" && e.Epoch == epoch));
        Assert.Equal(2, states.Count(e => e.State == "running" && e.Epoch == epoch));
        Assert.Contains(states, e => e.State == "backoff" && e.Epoch == epoch); // the exit
        Assert.Contains(states, e => e.State == "stopping" && e.Epoch == epoch);
        Assert.Contains(states, e => e.State == "stopped" && e.Epoch == epoch);
        // What no lease stands behind carries none: the wait for the lease, the command's audit.
        Assert.All(states.Where(e => e.State is "pending" or "waiting"), e => Assert.Null(e.Epoch));
        Assert.All(events.Where(e => e.Kind == "audit"), e => Assert.Null(e.Epoch));

        // The text form shows it on the worker's events.
        var text = await DaemonRunner.RunCliAsync("events", "--bot", bot, "-n", "100", "--state-dir", cluster["a"].StateDir);
        Assert.Matches($@"(?m) state\s+{bot} running: .*\(epoch {epoch}\)", text.Stdout);
    }

    private sealed record Shown(string Kind, string? State, string Message, long? Epoch);

    /// <summary>The bot's events from <c>botvisor events --json</c>, once one of them satisfies <paramref name="until"/>.</summary>
    private static async Task<List<Shown>> EventsAsync(ClusterHarness cluster, string bot, Func<Shown, bool> until)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Event;
        while (true)
        {
            var run = await DaemonRunner.RunCliAsync("events", "--json", "--bot", bot, "-n", "100", "--state-dir", cluster["a"].StateDir);
            Assert.True(run.ExitCode == 0, run.Stderr);
            var events = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
            {
                var e = JsonDocument.Parse(line).RootElement;
                return new Shown(e.GetProperty("kind").GetString()!, e.TryGetProperty("state", out var s) ? s.GetString() : null,
                    e.GetProperty("message").GetString()!, e.TryGetProperty("epoch", out var ep) ? ep.GetInt64() : null);
            }).ToList();
            if (events.Any(until)) return events;
            Assert.True(DateTime.UtcNow < deadline, "the events never showed it:\n" + run.Stdout);
            await Task.Delay(200);
        }
    }
}
