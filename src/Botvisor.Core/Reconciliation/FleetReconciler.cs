using Botvisor.Core.Fleet;
using Botvisor.Core.State;
using Botvisor.Core.Supervision;

namespace Botvisor.Core.Reconciliation;

/// <summary>
/// Drives the running fleet toward a desired set of bots: one <see cref="BotSupervisor"/> per bot;
/// added bots start (if <c>autostart</c>), removed bots stop, changed bots restart with their new
/// spec, and untouched bots keep their worker. Callers validate first: what reaches
/// <see cref="ApplyAsync"/> is accepted as a whole.
/// </summary>
public sealed class FleetReconciler : IDisposable
{
    private readonly SupervisorServices _services;
    private readonly SemaphoreSlim _applyGate = new(1, 1);
    private readonly Dictionary<string, BotSupervisor> _supervisors = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private volatile IReadOnlySet<string> _tokens = new HashSet<string>();

    public FleetReconciler(SupervisorServices services) => _services = services;

    public IReadOnlySet<string> FleetTokens => _tokens;

    /// <summary>Tokens the daemon itself holds (the admin bot's): masked and kept from workers like the fleet's.</summary>
    public IReadOnlyList<BotToken> DaemonTokens { get; init; } = [];

    public BotSupervisor? Find(string botId)
    {
        lock (_gate) return _supervisors.GetValueOrDefault(botId);
    }

    public IReadOnlyList<BotSupervisor> Supervisors
    {
        get
        {
            lock (_gate) return _supervisors.Values.OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
        }
    }

    public IReadOnlyDictionary<string, BotSpec> CurrentSpecs
    {
        get
        {
            lock (_gate) return _supervisors.ToDictionary(kv => kv.Key, kv => kv.Value.Spec, StringComparer.Ordinal);
        }
    }

    /// <summary>Applies the desired fleet (validated by the controller); returns what changed once every command has been handed over.</summary>
    public async Task<FleetDiff> ApplyAsync(ValidatedFleet fleet, string reason)
    {
        var desired = fleet.Bots;
        await _applyGate.WaitAsync().ConfigureAwait(false);
        try
        {
            var diff = FleetDiff.Compute(CurrentSpecs, desired);

            // Tokens first, so that output of new workers is masked from their first line.
            var tokens = desired.Where(s => s.Token is not null).Select(s => s.Token!).Concat(DaemonTokens).ToList();
            var known = CurrentSpecs.Values.Where(s => s.Token is not null).Select(s => s.Token!);
            _services.Masker.SetTokens(tokens.Concat(known).Distinct());
            _tokens = tokens.Concat(known).Select(t => t.Reveal()).ToHashSet(StringComparer.Ordinal);

            var removals = new List<Task>();
            foreach (var id in diff.Removed)
            {
                var sup = Find(id)!;
                removals.Add(RemoveAsync(sup, reason));
            }

            foreach (var spec in diff.Changed)
            {
                _ = Find(spec.Id)!.SendAsync(BotCommand.Update, reason + ": configuration changed", spec);
            }

            foreach (var spec in diff.Added)
            {
                var sup = new BotSupervisor(spec, _services);
                lock (_gate) _supervisors[spec.Id] = sup;
            }
            foreach (var spec in diff.Added.Where(s => s.Autostart))
            {
                _ = Find(spec.Id)!.SendAsync(BotCommand.Start, reason);
            }
            foreach (var spec in diff.Added.Where(s => !s.Autostart))
            {
                _ = Find(spec.Id)!.SendAsync(BotCommand.Stop, "autostart: false");
            }

            await Task.WhenAll(removals).ConfigureAwait(false);
            _services.Masker.SetTokens(tokens);
            _tokens = tokens.Select(t => t.Reveal()).ToHashSet(StringComparer.Ordinal);
            return diff;
        }
        finally
        {
            _applyGate.Release();
        }
    }

    private async Task RemoveAsync(BotSupervisor supervisor, string reason)
    {
        await supervisor.SendAsync(BotCommand.Remove, reason + ": bot removed").ConfigureAwait(false);
        await supervisor.Completion.ConfigureAwait(false);
        lock (_gate) _supervisors.Remove(supervisor.Id);
        _services.State.Remove(supervisor.Id);
        _services.Gateway?.Forget(supervisor.Id);
    }

    /// <summary>Stops every bot at once (each gets its own stop_timeout) and ends the supervisors.</summary>
    public async Task StopAllAsync(string reason)
    {
        await _applyGate.WaitAsync().ConfigureAwait(false);
        try
        {
            var all = Supervisors;
            await Task.WhenAll(all.Select(async s =>
            {
                await s.SendAsync(BotCommand.Remove, reason).ConfigureAwait(false);
                await s.Completion.ConfigureAwait(false);
            })).ConfigureAwait(false);
            lock (_gate) _supervisors.Clear();
        }
        finally
        {
            _applyGate.Release();
        }
    }

    public void Dispose() => _applyGate.Dispose();
}
