using Botvisor.Core.Fleet;
using Botvisor.Core.Supervision.Attachments;

namespace Botvisor.Core.Cluster;

/// <summary>Gives every worker its lease's epoch as <c>BOTVISOR_LEASE_EPOCH</c> (it grows with every change of holder).</summary>
internal sealed class LeaseEpochAttachment(ILeaseFence fence) : IWorkerAttachment
{
    public const string Variable = "BOTVISOR_LEASE_EPOCH";

    public void Spawning(BotSpec spec, IDictionary<string, string> environment)
    {
        if (fence.HeldEpoch(spec.Id) is { } epoch) environment[Variable] = epoch.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
