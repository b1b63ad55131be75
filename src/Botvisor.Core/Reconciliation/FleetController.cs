using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;
using Botvisor.Core.State;
using Botvisor.Core.Storage;

namespace Botvisor.Core.Reconciliation;

/// <summary>
/// Changes of desired state all come through here: read, validate everything, and only then diff
/// and apply. Any error rejects the whole change and the running fleet stays exactly as it was.
/// </summary>
public sealed class FleetController
{
    private readonly FleetReconciler _reconciler;
    private readonly StoreWriter _store;
    private readonly TimeProvider _time;

    public FleetController(FleetReconciler reconciler, StoreWriter store, TimeProvider time)
    {
        _reconciler = reconciler;
        _store = store;
        _time = time;
    }

    public string? ConfigPath { get; private set; }

    /// <summary>Reads the fleet file and applies it; returns the errors (and changes nothing) if it is invalid.</summary>
    public async Task<FleetApplyResult> ApplyFileAsync(string path, string actor, string reason)
    {
        var loaded = FleetLoader.LoadAndValidate(path);
        if (!loaded.Succeeded)
        {
            Record(actor, $"{reason} rejected: {loaded.Errors.Count} error(s) in {path}; the running fleet is unchanged");
            return new FleetApplyResult(null, loaded.Errors);
        }
        ConfigPath = Path.GetFullPath(path);
        var specs = BotSpecResolver.ResolveAll(loaded.Fleet!, ConfigPath);
        var diff = await _reconciler.ApplyAsync(specs, reason).ConfigureAwait(false);
        Record(actor, $"{reason}: {diff}");
        return new FleetApplyResult(diff, []);
    }

    private void Record(string actor, string message) => _store.Record(new BotEvent
    {
        Time = _time.GetUtcNow(),
        Kind = BotEventKinds.Daemon,
        Message = message,
        Actor = actor,
    });
}

public sealed record FleetApplyResult(FleetDiff? Diff, IReadOnlyList<FleetError> Errors)
{
    public bool Succeeded => Diff is not null;
}
