using Botvisor.Core.Reconciliation;
using Botvisor.Core.State;
using Botvisor.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Cluster;

/// <summary>
/// This node's part of the cluster. One loop, every <see cref="ClusterTiming.Retry"/>: the heartbeat with the
/// renewal of every held lease (one statement), then the placement (<see cref="Placement"/>) computed from
/// what the database says, the claims of this node's share, and the handovers of what belongs elsewhere
/// (the gate closes, the worker stops, and only then is the lease released). Beside it, a thread of its own
/// (<see cref="FenceWatch"/>) looks at the held leases' deadlines ten times a second and fences the node
/// itself: it works without the thread pool, the store or the loop, and is the first to see a freeze's end.
/// </summary>
public sealed partial class ClusterCoordinator : IAsyncDisposable
{
    private readonly IClusterStore _store;
    private readonly FleetReconciler _reconciler;
    private readonly StoreWriter _writer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, string> _holders = new(StringComparer.Ordinal);
    private readonly Lock _viewLock = new();
    private Task _loop = Task.CompletedTask;
    private FenceWatch? _watch;
    private long _startedAt;
    private bool _failing;
    private volatile bool _leaving;
    private volatile ClusterView? _view;
    private string? _botsVersion;
    private bool _nameTaken;
    private long? _unsettledSince;
    private HashSet<string> _stopped = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, BotWish> _wishes = new Dictionary<string, BotWish>();

    /// <summary>
    /// Called when the bots added through the API changed in the store (on any node): the node re-reads them
    /// through the controller's one path (validate, diff, apply). Set by the host.
    /// </summary>
    public Func<Task>? SyncStoredBots { get; set; }

    /// <summary>Called with the cluster's fleet generation when this node does not run it: the node reads and applies it. Set by the host.</summary>
    public Func<long, Task>? SyncFleet { get; set; }

    /// <summary>The cluster's fleet generation this node runs and its own file's digest, for its heartbeat. Set by the host.</summary>
    public Func<Reconciliation.FleetMark>? Mark { get; set; }

    private NodeRegistration Marked()
    {
        var mark = Mark?.Invoke() ?? new Reconciliation.FleetMark(0, "");
        return Self with { Fleet = mark.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture), File = mark.File };
    }

    public ClusterCoordinator(IClusterStore store, LocalLeases leases, NodeRegistration self, FleetReconciler reconciler, StoreWriter writer,
        TimeProvider time, ILogger<ClusterCoordinator> logger)
    {
        _store = store;
        Leases = leases;
        Self = self;
        _reconciler = reconciler;
        _writer = writer;
        _time = time;
        _logger = logger;
    }

    public LocalLeases Leases { get; }
    public NodeRegistration Self { get; private set; }

    /// <summary>The API address the heartbeats carry from now on (known once the server has bound).</summary>
    public void Advertise(string address) => Self = Self with { Address = address };
    public ClusterTiming Timing => Leases.Timing;

    /// <summary>The cluster as the last heartbeat saw it (null before the first).</summary>
    public ClusterView? View => _view;

    /// <summary>Heartbeats that reached the database (for tests and diagnostics).</summary>
    public long Heartbeats => Interlocked.Read(ref _heartbeats);

    private long _heartbeats;

    /// <summary>A node's advertised API address, as last seen; null for an unknown node.</summary>
    public string? AddressOf(string node) => _view?.Nodes.FirstOrDefault(n => n.Name == node)?.Address;

    /// <summary>Which node holds a bot's valid lease, as last seen; null when none.</summary>
    public string? HolderOf(string botId)
    {
        lock (_viewLock) return _holders.GetValueOrDefault(botId);
    }

    /// <summary>Starts the loop and the fence watch. Call after the workers a predecessor left have been ended: leases still held are adopted.</summary>
    public void Start()
    {
        _startedAt = _time.GetTimestamp();
        _watch = new FenceWatch(Leases, FindSupervisor, OnFenced, _logger);
        _loop = Task.Run(LoopAsync);
        Log.Joined(_logger, Self.Name, Self.Address, Configuration.DurationParser.Format(Timing.Lease), Configuration.DurationParser.Format(Timing.RenewDeadline), Configuration.DurationParser.Format(Timing.Retry));
        Record(null, $"node {Self.Name} joined the cluster ({Self.Address}, version {Self.Version})");
    }

    private Supervision.BotSupervisor? FindSupervisor(string botId) => _reconciler.Find(botId);

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await TickAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                StoreFailed(ex);
            }
            try
            {
                await Task.Delay(Timing.Retry, _time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One round: heartbeat and renewal, placement, claims, handovers, releases.</summary>
    private async Task TickAsync(CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        Self = Marked();
        var view = await _store.HeartbeatAsync(Self, Timing.Lease, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _heartbeats);
        StoreRecovered();

        // Renewed leases move their deadlines to this round's start; leases held here that the database did not renew are lost.
        var renewed = view.Renewed.Select(r => r.BotId).ToHashSet(StringComparer.Ordinal);
        var lost = Leases.Snapshot().Where(kv => !renewed.Contains(kv.Key) && kv.Value.RenewedAt < started).Select(kv => kv.Key).ToList();
        foreach (var lease in Leases.Forget(lost))
        {
            Log.Lost(_logger, lease.BotId, lease.Epoch);
            Record(lease.BotId, $"node {Self.Name} lost the lease (epoch {lease.Epoch}): the worker is ended", lease.Epoch);
            if (FindSupervisor(lease.BotId) is { } sup)
            {
                sup.KillWorkerNow();
                sup.CloseGate($"lease lost (epoch {lease.Epoch})");
            }
        }
        // Before any lease is adopted: a bot a person stopped opens no gate, whoever holds its lease.
        var stopped = view.Wishes.Where(w => !w.Value.Running).Select(w => w.Key).ToHashSet(StringComparer.Ordinal);
        Leases.SetStopped(stopped);
        var gained = new List<string>();
        foreach (var adopted in Leases.Extend(view.Renewed, started, adopt: !_leaving))
        {
            Record(adopted.BotId, $"node {Self.Name} holds the lease (epoch {adopted.Epoch})", adopted.Epoch);
            gained.Add(adopted.BotId);
        }

        var holders = view.Leases.Where(l => l.Holder is not null && !l.Expired).ToDictionary(l => l.BotId, l => l.Holder!, StringComparer.Ordinal);
        List<string> moved;
        lock (_viewLock)
        {
            moved = holders.Where(h => _holders.GetValueOrDefault(h.Key) != h.Value).Select(h => h.Key)
                .Concat(_holders.Keys.Where(b => !holders.ContainsKey(b))).ToList();
            _holders.Clear();
            foreach (var (bot, holder) in holders) _holders[bot] = holder;
        }
        Leases.Wake(moved); // a waiting bot shows where it runs now
        _view = view;
        FollowWishes(view.Wishes, stopped, gained);

        // Before placement: a bot added on another node is placed once this node defines it too.
        if (view.FleetGeneration.ToString(System.Globalization.CultureInfo.InvariantCulture) != Self.Fleet && SyncFleet is { } syncFleet)
        {
            await syncFleet(view.FleetGeneration).ConfigureAwait(false);
        }
        if (view.BotsVersion != _botsVersion && SyncStoredBots is { } sync)
        {
            await sync().ConfigureAwait(false);
            _botsVersion = view.BotsVersion;
        }

        // Bots are placed only on nodes that run the same generation of the cluster's fleet as this one: a node
        // that could not apply the newest keeps what it holds, and nodes never hand bots back and forth.
        Self = Marked();
        var bots = _reconciler.CurrentSpecs.Keys.ToList();
        string fleet = Self.Fleet;
        var takers = view.Nodes.Where(n => NodeStates.Classify(n, Timing).TakesBots() && (n.Fleet == fleet || n.Name == Self.Name)).Select(n => n.Name).ToList();
        var target = Placement.Assign(bots, takers, holders);

        if (!view.Accepted)
        {
            if (!_nameTaken) Log.NameTaken(_logger, Self.Name, Configuration.DurationParser.Format(Timing.Lease));
            _nameTaken = true;
            return;
        }
        _nameTaken = false;

        // Claims wait one round after the start, so that nodes started together see each other first, and while
        // the live nodes run different generations of the fleet (for at most a lease: one that cannot apply the
        // newest must not hold up the rest), so that the first node to see new bots does not take them all.
        bool settled = view.Nodes.Where(n => NodeStates.Classify(n, Timing).TakesBots()).All(n => n.Fleet == fleet || n.Name == Self.Name);
        if (settled) _unsettledSince = null;
        else _unsettledSince ??= _time.GetTimestamp();
        bool waiting = _unsettledSince is { } since && _time.GetElapsedTime(since) < Timing.Lease;
        // A node that could not apply the cluster's newest fleet hands its bots to the nodes that run it, and takes
        // none; when no live node runs the newest, the nodes that are behind go on as they are (bots run somewhere).
        string newest = view.FleetGeneration.ToString(System.Globalization.CultureInfo.InvariantCulture);
        bool yieldAll = fleet != newest && view.Nodes.Any(n => n.Name != Self.Name && n.Fleet == newest && NodeStates.Classify(n, Timing).TakesBots());
        if (!_leaving && !waiting && !yieldAll && _time.GetElapsedTime(_startedAt) >= Timing.Retry)
        {
            var wanted = bots.Where(b => target.GetValueOrDefault(b) == Self.Name && !holders.ContainsKey(b) && Leases.HeldEpoch(b) is null && !stopped.Contains(b)).ToList();
            if (wanted.Count > 0)
            {
                long claimStarted = _time.GetTimestamp();
                var granted = await _store.ClaimAsync(Self, wanted, Timing.Lease, cancellationToken).ConfigureAwait(false);
                Leases.Extend(granted, claimStarted, adopt: true);
                foreach (var g in granted)
                {
                    Log.Taken(_logger, g.BotId, g.Epoch);
                    Record(g.BotId, $"node {Self.Name} took the lease (epoch {g.Epoch})", g.Epoch);
                }
                FollowWishes(view.Wishes, stopped, granted.Select(g => g.BotId).ToList());
            }
        }

        string? yieldWhy = yieldAll ? $"node {Self.Name} cannot apply the cluster's fleet generation {newest}: handing over to the nodes that run it" : null;
        await HandOverAsync(bots, target, view.Wishes, yieldWhy, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// What a person asked of a bot holds on every node: a stopped bot's supervisor here is stopped too (and no
    /// node claims its lease, nor opens its gate) until someone starts it; then every node's supervisor waits for
    /// the lease again, and one claims it. A bot a person started is started by the node it moves to.
    /// </summary>
    private void FollowWishes(IReadOnlyDictionary<string, BotWish> wishes, HashSet<string> stopped, IReadOnlyList<string> gained)
    {
        foreach (var bot in stopped)
        {
            // Only a supervisor that would run (a failed one is left as it is: it runs nothing).
            if (FindSupervisor(bot) is { State: State.BotLifecycleState.Running or State.BotLifecycleState.Starting or State.BotLifecycleState.Waiting
                    or State.BotLifecycleState.Backoff or State.BotLifecycleState.Pending } supervisor)
            {
                Forget(supervisor.SendAsync(Supervision.BotCommand.Stop, $"stopped in the cluster by {wishes[bot].Actor}"));
            }
        }
        // Started: a bot stopped until now, one whose lease this node just gained, and one a person has just started
        // (the start may have been asked of a node that did not hold it, while this one did).
        var started = wishes.Where(w => w.Value.Running && _wishes.GetValueOrDefault(w.Key) != w.Value && Leases.HeldEpoch(w.Key) is not null).Select(w => w.Key);
        foreach (var bot in _stopped.Where(b => !stopped.Contains(b)).Concat(gained.Where(b => wishes.GetValueOrDefault(b)?.Running == true)).Concat(started).Distinct(StringComparer.Ordinal))
        {
            if (FindSupervisor(bot) is { State: State.BotLifecycleState.Stopped } supervisor)
            {
                Forget(supervisor.SendAsync(Supervision.BotCommand.Start, wishes.TryGetValue(bot, out var wish) ? $"started in the cluster by {wish.Actor}" : "started in the cluster"));
            }
        }
        _stopped = stopped;
        _wishes = wishes;

        // The effect is reached later (a worker stopping); the loop does not wait for it.
        static void Forget(Task task) => task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    /// <summary>Closes the gate of every held bot that belongs elsewhere (or no longer exists); releases those whose worker has ended.</summary>
    /// <param name="yieldWhy">Set when this node is to give every bot away (it cannot apply the cluster's newest fleet).</param>
    private async Task HandOverAsync(IReadOnlyCollection<string> bots, IReadOnlyDictionary<string, string> target, IReadOnlyDictionary<string, BotWish> wishes, string? yieldWhy, CancellationToken cancellationToken)
    {
        var defined = bots.ToHashSet(StringComparer.Ordinal);
        var release = new List<string>();
        foreach (var (bot, entry) in Leases.Snapshot())
        {
            if (!entry.Releasing)
            {
                string? to = target.GetValueOrDefault(bot);
                bool elsewhere = to is not null && to != Self.Name;
                bool stoppedByPerson = wishes.TryGetValue(bot, out var wish) && !wish.Running;
                if (!elsewhere && defined.Contains(bot) && !_leaving && !stoppedByPerson && yieldWhy is null) continue;
                Leases.BeginRelease(bot);
                string why = !defined.Contains(bot) ? "the bot was removed" : _leaving ? $"node {Self.Name} is shutting down"
                    : stoppedByPerson ? $"stopped in the cluster by {wish!.Actor}" : yieldWhy ?? $"handing over to node {to}";
                Log.HandingOver(_logger, bot, entry.Epoch, why);
                FindSupervisor(bot)?.CloseGate(why);
            }
            var supervisor = FindSupervisor(bot);
            if (supervisor is not { WorkerPid: not null }) release.Add(bot);
            // A worker that started anyway (its last gate answered before the release began, and the machine
            // drops a closed gate while it is still starting) is asked again every round, so the lease is not
            // renewed for ever under a release that never ends. A worker already stopping ignores it.
            else if (entry.Releasing) supervisor.CloseGate($"handing over the lease of {bot}");
        }
        if (release.Count == 0) return;
        var held = Leases.Snapshot();
        var grants = release.Select(b => new LeaseGrant(b, held[b].Epoch)).ToList();
        await _store.ReleaseAsync(Self, grants, cancellationToken).ConfigureAwait(false);
        Leases.Forget(release);
        foreach (var g in grants) Record(g.BotId, $"node {Self.Name} released the lease (epoch {g.Epoch}) after its worker ended", g.Epoch);
    }

    /// <summary>Marks a node as draining (its bots move to the others) or takes it back; false when there is no such node.</summary>
    public Task<bool> SetDrainingAsync(string node, bool draining, string actor)
    {
        Log.Draining(_logger, node, draining, actor);
        Record(null, draining ? $"{actor}: drain node {node}" : $"{actor}: node {node} takes bots again");
        return _store.SetDrainingAsync(node, draining);
    }

    /// <summary>
    /// A clean shutdown's handover: nothing starts any more, every bot is stopped by <paramref name="stopBots"/>
    /// while the leases are still renewed, then every lease is released at once and the node is marked as
    /// left, so that the others start the bots within one retry instead of one lease.
    /// </summary>
    public async Task LeaveAsync(Func<Task> stopBots)
    {
        _leaving = true;
        foreach (var bot in Leases.Snapshot().Keys) Leases.BeginRelease(bot);
        await stopBots().ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        try
        {
            await _store.LeaveAsync(Self).ConfigureAwait(false);
            Log.Left(_logger, Self.Name, Leases.Count);
            Record(null, $"node {Self.Name} left the cluster; its {Leases.Count} lease(s) were released");
        }
        catch (Exception ex) when (ex is StoreUnavailableException or TimeoutException)
        {
            // The leases expire by themselves; the workers have ended already.
            Log.StoreFailing(_logger, ex.Message, Configuration.DurationParser.Format(Timing.RenewDeadline));
        }
        Leases.Forget(Leases.Snapshot().Keys);
    }

    private void OnFenced(string botId, long epoch, bool killed)
    {
        if (killed)
        {
            Log.FencedKilled(_logger, botId, epoch);
            Record(botId, $"node {Self.Name} killed the worker: its lease (epoch {epoch}) may have lapsed", epoch);
        }
        else
        {
            Log.SelfFenced(_logger, botId, epoch, Configuration.DurationParser.Format(Timing.RenewDeadline));
            Record(botId, $"node {Self.Name} fenced itself: the lease (epoch {epoch}) was not renewed within {Configuration.DurationParser.Format(Timing.RenewDeadline)}; the worker is stopped", epoch);
        }
    }

    private void StoreFailed(Exception ex)
    {
        if (_failing) return;
        _failing = true;
        Log.StoreFailing(_logger, ex.Message, Configuration.DurationParser.Format(Timing.RenewDeadline));
    }

    private void StoreRecovered()
    {
        if (!_failing) return;
        _failing = false;
        Log.StoreRecovered(_logger);
    }

    private void Record(string? botId, string message, long? epoch = null) => _writer.Record(new BotEvent
    {
        Epoch = epoch,
        Time = _time.GetUtcNow(),
        Kind = BotEventKinds.Node,
        BotId = botId,
        Actor = "daemon",
        Message = message,
    });

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _watch?.Dispose();
        _stop.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = Diagnostics.LogEventIds.ClusterJoined, Level = LogLevel.Information,
            Message = "Node {Node} joined the cluster, advertising {Address} (lease {Lease}, renew deadline {RenewDeadline}, retry {Retry})")]
        public static partial void Joined(ILogger logger, string node, string address, string lease, string renewDeadline, string retry);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.LeaseTaken, Level = LogLevel.Information, Message = "Lease of {BotId} taken (epoch {Epoch})")]
        public static partial void Taken(ILogger logger, string botId, long epoch);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.LeaseHandedOver, Level = LogLevel.Information, Message = "Lease of {BotId} (epoch {Epoch}) handed over: {Reason}; the worker stops, then the lease is released")]
        public static partial void HandingOver(ILogger logger, string botId, long epoch, string reason);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.LeaseLost, Level = LogLevel.Warning, Message = "Lease of {BotId} (epoch {Epoch}) lost: the database did not renew it; the worker is killed")]
        public static partial void Lost(ILogger logger, string botId, long epoch);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.SelfFenced, Level = LogLevel.Warning, Message = "Self-fencing {BotId}: its lease (epoch {Epoch}) was not renewed within {RenewDeadline}; the worker is stopped")]
        public static partial void SelfFenced(ILogger logger, string botId, long epoch, string renewDeadline);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.FencedWorkerKilled, Level = LogLevel.Warning, Message = "Killed the worker of {BotId}: its lease (epoch {Epoch}) may have lapsed")]
        public static partial void FencedKilled(ILogger logger, string botId, long epoch);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.ClusterStoreFailing, Level = LogLevel.Error,
            Message = "The cluster's store cannot be reached ({Reason}); leases not renewed within {RenewDeadline} are fenced (their workers stop)")]
        public static partial void StoreFailing(ILogger logger, string reason, string renewDeadline);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.ClusterStoreRecovered, Level = LogLevel.Information, Message = "The cluster's store can be reached again")]
        public static partial void StoreRecovered(ILogger logger);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.NodeNameTaken, Level = LogLevel.Error,
            Message = "Another live daemon is node {Node}: this one takes no bots until that one has left or been silent for {Lease}; give every node a name of its own (BOTVISOR_NODE or node:)")]
        public static partial void NameTaken(ILogger logger, string node, string lease);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.ClusterLeft, Level = LogLevel.Information, Message = "Node {Node} left the cluster: {Count} lease(s) released")]
        public static partial void Left(ILogger logger, string node, int count);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.NodeDraining, Level = LogLevel.Information, Message = "Node {Node} draining: {Draining} (asked by {Actor})")]
        public static partial void Draining(ILogger logger, string node, bool draining, string actor);
    }
}
