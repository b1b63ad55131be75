namespace Botvisor.Core.Tests;

/// <summary>Tests that start real workers run one class at a time: the machine has two cores.</summary>
[CollectionDefinition(Name)]
public sealed class RealProcesses
{
    public const string Name = "real processes";
}
