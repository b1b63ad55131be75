using Botvisor.Core.Alerts;
using Botvisor.Core.Health;
using Botvisor.Core.Reconciliation;
using Botvisor.Core.State;
using Botvisor.Core.Storage;

namespace Botvisor.Core.AdminBot;

/// <summary>What the admin bot reads and acts on: the same services the HTTP API uses.</summary>
public sealed class AdminBotServices
{
    public required FleetStateService State { get; init; }
    public required FleetReconciler Reconciler { get; init; }
    public required FleetController Controller { get; init; }
    public required IFleetStore Store { get; init; }
    public required StoreWriter Writer { get; init; }
    public required ResourceSampler Sampler { get; init; }
    public required AlertCenter Alerts { get; init; }
    public required TimeProvider Time { get; init; }
}
