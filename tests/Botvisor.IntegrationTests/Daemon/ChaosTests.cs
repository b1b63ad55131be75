using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Botvisor.Core.Supervision;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.Daemon;

/// <summary>
/// The daemon killed with SIGKILL at random instants (during start, reload, add, stop and shutdown),
/// then started again: every bot has one worker (with its child) and nothing else of the fleet runs.
/// The suite runs a few kills with a fixed seed; <c>BOTVISOR_CHAOS_KILLS=100 BOTVISOR_CHAOS_SEED=random
/// dotnet test --filter ChaosTests</c> is the longer run (the seed is printed, so a failure reproduces).
/// </summary>
[Collection(DaemonCollection.Name)]
public class ChaosTests(ITestOutputHelper output)
{
    private const int DaemonStarted = 101;
    private const int BotCount = 6;

    private static string Fleet(int generation)
    {
        var sb = new StringBuilder("""
            defaults:
              stop_timeout: 3s
              backoff: { initial: 0s }
            bots:

            """);
        for (int i = 0; i < BotCount; i++)
        {
            // A worker with a child, so a duplicate or an orphan shows as more than one session or a stray process.
            sb.Append(CultureInfo.InvariantCulture, $"  b{i}:\n    command: [\"sh\", \"-c\", \"sleep 1000 & wait\"]\n    env: {{ GENERATION: \"{generation}\" }}\n");
        }
        return sb.ToString();
    }

    private enum Phase { Start, Reload, Add, Stop, Shutdown }

    [Fact]
    public async Task KillAtRandomInstants_NextDaemonHasOneWorkerPerBot_AndNoOrphan()
    {
        var (kills, seed) = TestRuns.FromEnvironment("BOTVISOR_CHAOS_KILLS", 10, "BOTVISOR_CHAOS_SEED", 13);
        output.WriteLine($"chaos: {kills} kills, seed {seed}");
        var random = new Random(seed);

        using var fleet = new TempFleet().Write(Fleet(0));
        string? mark = null;
        for (int round = 0; round < kills; round++)
        {
            var phase = (Phase)random.Next(5);
            var delay = TimeSpan.FromMilliseconds(random.Next(0, 800));
            output.WriteLine($"round {round}: kill during {phase} after {delay.TotalMilliseconds} ms");

            var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
            try
            {
                if (phase == Phase.Start)
                {
                    await Task.Delay(delay);
                }
                else
                {
                    await daemon.WaitForAsync(DaemonStarted);
                    await daemon.ApiAddressAsync();
                    mark ??= MarkOf(await daemon.WaitForRunningAsync("b0"));
                    await DisturbAsync(daemon, fleet, phase, round);
                    await Task.Delay(delay);
                }
            }
            finally
            {
                daemon.Signal("KILL");
                await daemon.WaitForExitAsync();
                await daemon.DisposeAsync();
            }

            // The next daemon ends whatever the killed one left, then runs the fleet once.
            var what = $"round {round} ({phase} after {delay.TotalMilliseconds} ms, seed {seed})";
            await using (var next = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir))
            {
                await next.WaitForAsync(DaemonStarted);
                await next.ApiAddressAsync();
                mark ??= MarkOf(await next.WaitForRunningAsync("b0"));
                await AssertOneWorkerPerBotAsync(next, mark, what);
                next.Signal("TERM");
                Assert.Equal(0, await next.WaitForExitAsync());
            }
            Assert.True(WorkerMarks.Find(mark).Count == 0, $"{what}: processes of the fleet outlived a clean shutdown: {Describe(WorkerMarks.Find(mark))}");
        }

        // And a clean shutdown leaves nothing at all.
        await using (var last = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir))
        {
            await last.WaitForAsync(DaemonStarted);
            last.Signal("TERM");
            Assert.Equal(0, await last.WaitForExitAsync());
        }
        Assert.Empty(WorkerMarks.Find(mark!));
    }

    /// <summary>
    /// The mark is per state directory: a daemon that starts after a crash ends its own predecessor's
    /// workers and never another daemon's, even one running the same commands under the same bot ids.
    /// </summary>
    [Fact]
    public async Task RestartAfterAKill_EndsOnlyItsOwnLeftovers_NotAnotherDaemonsWorkers()
    {
        using var mine = new TempFleet().Write(Fleet(0));
        using var other = new TempFleet().Write(Fleet(0));
        await using var neighbour = DaemonRunner.Start(other.ConfigPath, other.StateDir);
        int neighbourWorker = await neighbour.WaitForRunningAsync("b0");
        await neighbour.WaitForAsync(DaemonStarted);

        var killed = DaemonRunner.Start(mine.ConfigPath, mine.StateDir);
        int leftover = await killed.WaitForRunningAsync("b0");
        await killed.WaitForAsync(DaemonStarted);
        killed.Signal("KILL");
        await killed.WaitForExitAsync();
        await killed.DisposeAsync();

        await using var next = DaemonRunner.Start(mine.ConfigPath, mine.StateDir);
        await next.WaitForAsync(DaemonStarted);
        Assert.False(Processes.IsAlive(leftover), "the killed daemon's worker should have been ended");
        Assert.True(Processes.IsAlive(neighbourWorker), "another daemon's worker was ended");
        Assert.Equal(BotCount * 2, WorkerMarks.Find(MarkOf(neighbourWorker)).Count); // all of the neighbour's workers and children
    }

    /// <summary>Starts the change the kill then interrupts; none of them is awaited to its end.</summary>
    private static async Task DisturbAsync(DaemonRunner daemon, TempFleet fleet, Phase phase, int round)
    {
        switch (phase)
        {
            case Phase.Reload:
                fleet.Write(Fleet(round + 1)); // every bot changes: all are replaced
                daemon.Signal("HUP");
                break;
            case Phase.Add:
                var id = $"added{round}";
                _ = SendAndForgetAsync(daemon, "/bots", $$"""{"id":"{{id}}","command":["sh","-c","sleep 1000 & wait"]}""");
                break;
            case Phase.Stop:
                _ = SendAndForgetAsync(daemon, "/bots/b1/restart", "");
                break;
            case Phase.Shutdown:
                daemon.Signal("TERM");
                break;
        }
    }

    /// <summary>A request the kill interrupts: its answer (or the lost connection) does not matter.</summary>
    private static async Task SendAndForgetAsync(DaemonRunner daemon, string path, string body)
    {
        using var http = daemon.UnixHttp();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        try
        {
            (await http.PostAsync(path, body.Length == 0 ? null : content)).Dispose();
        }
        catch (HttpRequestException)
        {
        }
        catch (TaskCanceledException)
        {
        }
    }

    /// <summary>Every running bot's processes are its worker's session; no other marked process exists.</summary>
    private static async Task AssertOneWorkerPerBotAsync(DaemonRunner daemon, string mark, string what)
    {
        using var http = daemon.UnixHttp();
        Dictionary<string, int> workers = [];
        using var cts = new CancellationTokenSource(TestTimeouts.Event);
        while (true)
        {
            var status = JsonDocument.Parse(await http.GetStringAsync("/status", cts.Token)).RootElement;
            workers = status.GetProperty("bots").EnumerateArray()
                .Where(b => b.TryGetProperty("pid", out var pid) && pid.ValueKind == JsonValueKind.Number)
                .ToDictionary(b => b.GetProperty("id").GetString()!, b => b.GetProperty("pid").GetInt32());
            bool settled = status.GetProperty("bots").EnumerateArray().All(b => b.GetProperty("state").GetString() is "running" or "stopped" or "failed");
            // Each worker's child is forked at its start; wait until every running worker has it.
            if (settled && workers.Values.All(pid => WorkerMarks.Find(mark).Count(m => m.Session == pid) >= 2)) break;
            await Task.Delay(100, cts.Token);
        }

        var marked = WorkerMarks.Find(mark);
        foreach (var (bot, pid) in workers)
        {
            var ofBot = marked.Where(m => m.BotId == bot).ToList();
            Assert.True(ofBot.All(m => m.Session == pid),
                $"{what}: bot {bot} has processes outside its worker {pid}'s session: {Describe(ofBot)}");
            Assert.Equal(2, ofBot.Count); // sh and its sleep
        }
        var strays = marked.Where(m => !workers.ContainsValue(m.Session)).ToList();
        Assert.True(strays.Count == 0, $"{what}: processes of the fleet that no worker owns: {Describe(strays)}");
    }

    private static string Describe(IEnumerable<WorkerMarks.MarkedProcess> processes) =>
        string.Join(", ", processes.Select(p => $"{p.BotId}:{p.Pid} (session {p.Session})"));

    /// <summary>The daemon's mark, read from one of its workers.</summary>
    private static string MarkOf(int workerPid)
    {
        var environ = File.ReadAllBytes($"/proc/{workerPid}/environ");
        return WorkerMarks.Value(environ, Encoding.ASCII.GetBytes(WorkerEnvironment.StateId + "="))
            ?? throw new InvalidOperationException($"worker {workerPid} has no {WorkerEnvironment.StateId}");
    }
}
