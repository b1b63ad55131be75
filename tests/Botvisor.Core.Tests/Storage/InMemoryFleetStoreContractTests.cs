using Botvisor.Core.Storage;
using Botvisor.Testing;

namespace Botvisor.Core.Tests.Storage;

/// <summary>The store contract for the tests' in-memory store: what the core's tests rely on behaves as SQLite does.</summary>
public sealed class InMemoryFleetStoreContractTests : FleetStoreContract
{
    protected override IFleetStore CreateStore() => new InMemoryFleetStore();
}
