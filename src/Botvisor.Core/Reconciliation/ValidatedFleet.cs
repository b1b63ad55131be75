using Botvisor.Core.Fleet;

namespace Botvisor.Core.Reconciliation;

/// <summary>
/// The desired fleet after every source's bots were merged and validated together: the only thing
/// <see cref="FleetReconciler"/> applies. Only <see cref="FleetController"/> builds one (the constructor
/// is internal), so no path can apply an unchecked change.
/// </summary>
public sealed class ValidatedFleet
{
    internal ValidatedFleet(IReadOnlyList<BotSpec> bots) => Bots = bots;

    public IReadOnlyList<BotSpec> Bots { get; }
}
