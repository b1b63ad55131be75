using Botvisor.Core.Fleet;
using Botvisor.Core.State;
using Botvisor.Core.Supervision.Machine;

namespace Botvisor.Core.Supervision.Gates;

/// <summary><c>depends_on</c>: a bot starts once every bot it depends on is running (and ready).</summary>
public sealed class DependencyGate(FleetStateService state) : IStartGate
{
    public string Doing => "checking dependencies";

    public ValueTask<GateVerdict> AskAsync(BotSpec spec, int attempt, CancellationToken cancellationToken)
    {
        if (spec.DependsOn.Count == 0) return ValueTask.FromResult<GateVerdict>(new GateVerdict.Open(null));
        var missing = Missing(spec);
        return ValueTask.FromResult<GateVerdict>(missing.Count == 0
            ? new GateVerdict.Open("dependencies are running: " + string.Join(", ", spec.DependsOn))
            : new GateVerdict.Wait("waiting for " + string.Join(", ", missing) + " to be running", null));
    }

    public Task WhenChangedAsync(BotSpec spec, CancellationToken cancellationToken) =>
        Task.WhenAll(Missing(spec).Select(d => state.WaitForStateAsync(d, [BotLifecycleState.Running], cancellationToken)));

    private List<string> Missing(BotSpec spec) => spec.DependsOn.Where(d => state.Get(d)?.State != BotLifecycleState.Running).ToList();
}
