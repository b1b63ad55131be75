using Botvisor.Core.Cluster;
using Botvisor.Core.State;
using Botvisor.Core.Supervision;
using Botvisor.Testing;

namespace Botvisor.Core.Tests.Cluster;

/// <summary>A bot's state events carry the lease epoch its worker runs under: the worker's own, even once the lease is gone.</summary>
[Collection(RealProcesses.Name)]
public class LeasedWorkerEventTests : IAsyncLifetime
{
    private readonly LocalLeases _leases = new(TimeProvider.System, new ClusterTiming(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10)));
    private readonly SupervisorHarness _h;

    public LeasedWorkerEventTests() => _h = new SupervisorHarness(leases: _leases);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    private void Grant(string bot, long epoch) => _leases.Extend([new LeaseGrant(bot, epoch)], TimeProvider.System.GetTimestamp(), adopt: true);

    private async Task<List<BotEvent>> StatesAsync(string bot)
    {
        await _h.Writer.FlushAsync();
        return _h.Store.Events.Where(e => e.BotId == bot && e.Kind == BotEventKinds.State).ToList();
    }

    [Fact]
    public async Task EveryStartAndExit_CarriesTheEpoch_TheWorkerGotInItsEnvironment()
    {
        Grant("held", 5);
        await _h.ApplyAsync(_h.Shell("held", "echo \"epoch=$BOTVISOR_LEASE_EPOCH\"; exit 3") with { MaxRestarts = 1 }, _h.Shell("unleased", "sleep 60"));

        await _h.WaitForOutputAsync("held", l => l == "epoch=5");
        await _h.WaitForStateAsync("held", BotLifecycleState.Failed);
        var held = await StatesAsync("held");
        Assert.Equal(["starting", "running", "backoff", "starting", "running", "failed"], held.Select(e => e.State));
        Assert.All(held, e => Assert.Equal(5, e.Epoch));

        // A bot this node holds no lease of waits for it, and says so without an epoch.
        await _h.WaitForStateAsync("unleased", BotLifecycleState.Waiting);
        Assert.All(await StatesAsync("unleased"), e => Assert.Null(e.Epoch));
    }

    [Fact]
    public async Task AWorkerWhoseLeaseWasLost_StopsWithItsOwnEpoch_AndTheWaitAfterCarriesNone()
    {
        Grant("lost", 7);
        await _h.ApplyAsync(_h.Shell("lost", "exec sleep 60"));
        await _h.WaitForStateAsync("lost", BotLifecycleState.Running);

        // What the coordinator does when the database did not renew the lease: forget it, kill the worker, close the gate.
        _leases.Forget(["lost"]);
        var supervisor = _h.Bot("lost");
        supervisor.KillWorkerNow();
        supervisor.CloseGate("lease lost (epoch 7)");
        await _h.WaitForAsync("lost", s => s.State == BotLifecycleState.Waiting && s.Pid is null);

        var states = await StatesAsync("lost");
        Assert.Equal(["starting", "running", "stopping", "waiting"], states.Select(e => e.State));
        Assert.Equal(new long?[] { 7, 7, 7, null }, states.Select(e => e.Epoch)); // the stop is the worker's (its lease is gone by then); the wait for a new lease has none
    }
}
