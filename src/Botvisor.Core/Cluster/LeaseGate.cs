using Botvisor.Core.Fleet;
using Botvisor.Core.Supervision.Gates;
using Botvisor.Core.Supervision.Machine;

namespace Botvisor.Core.Cluster;

/// <summary>
/// The cluster's start gate: a worker starts only on the node that holds the bot's lease, within its
/// renew deadline. Asked first (a bot held elsewhere costs no getMe) and again last, in the step that
/// spawns (nothing the other gates awaited can outlive the lease).
/// </summary>
public sealed class LeaseGate(LocalLeases leases, Func<string, string?> holderOf) : IStartGate
{
    public string Doing => "waiting for the bot's lease";

    public ValueTask<GateVerdict> AskAsync(BotSpec spec, int attempt, CancellationToken cancellationToken)
    {
        if (leases.HeldEpoch(spec.Id) is { } epoch) return ValueTask.FromResult<GateVerdict>(new GateVerdict.Open($"lease held (epoch {epoch})"));
        string why = holderOf(spec.Id) is { } holder ? $"runs on node {holder}" : "waiting for the bot's lease";
        return ValueTask.FromResult<GateVerdict>(new GateVerdict.Wait(why, null));
    }

    public Task WhenChangedAsync(BotSpec spec, CancellationToken cancellationToken) => leases.WhenGainedAsync(spec.Id, cancellationToken);
}
