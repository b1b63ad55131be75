namespace Botvisor.Core.Cluster;

/// <summary>
/// The leases this node holds, as it knows them: the epoch and the monotonic timestamp at which the
/// renewal (or claim) that last extended each one started. It is the node's <see cref="ILeaseFence"/>:
/// a bot is held only while its lease is <see cref="LeaseStanding.Valid"/> and not being handed over.
/// Thread-safe; the coordinator changes it, the start gates, the gateway and the fence watch read it.
/// </summary>
public sealed class LocalLeases : ILeaseFence
{
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CancellationTokenSource> _tenures = new(StringComparer.Ordinal);
    private static readonly CancellationToken NotHeld = new(canceled: true);

    public LocalLeases(TimeProvider time, ClusterTiming timing)
    {
        _time = time;
        Timing = timing;
    }

    /// <summary>One held lease; <see cref="Releasing"/>: handed over (its worker is stopping, then it is released).</summary>
    public sealed record Entry(long Epoch, long RenewedAt, bool Releasing);

    public ClusterTiming Timing { get; }

    public long? HeldEpoch(string botId)
    {
        lock (_lock)
        {
            return IsHeld(botId) ? _held[botId].Epoch : null;
        }
    }

    public CancellationToken Tenure(string botId)
    {
        lock (_lock)
        {
            if (!IsHeld(botId)) return NotHeld;
            if (!_tenures.TryGetValue(botId, out var tenure)) _tenures[botId] = tenure = new CancellationTokenSource();
            return tenure.Token;
        }
    }

    /// <summary>The bot's lease is no longer <see cref="LeaseStanding.Valid"/> (the fence watch saw it): what acts under it stops now.</summary>
    public void EndTenure(string botId)
    {
        CancellationTokenSource? tenure;
        lock (_lock)
        {
            if (!_tenures.Remove(botId, out tenure)) return;
        }
        End(tenure);
    }

    private static void End(CancellationTokenSource tenure)
    {
        try
        {
            tenure.Cancel();
        }
        catch (AggregateException)
        {
            // A cancelled call's cleanup failed; the tenure is over either way.
        }
        tenure.Dispose(); // its tokens still answer (cancelled)
    }

    private bool IsHeld(string botId) => _held.TryGetValue(botId, out var e) && !e.Releasing && !_stopped.Contains(botId) && StandingOf(e) == LeaseStanding.Valid;

    private HashSet<string> _stopped = new(StringComparer.Ordinal);

    /// <summary>The bots a person stopped in the cluster: not held (no gate opens, the gateway forwards nothing) even with their lease.</summary>
    public void SetStopped(HashSet<string> stopped)
    {
        var wake = new List<TaskCompletionSource>();
        var ended = new List<CancellationTokenSource>();
        lock (_lock)
        {
            foreach (var bot in _stopped.Where(b => !stopped.Contains(b))) if (_waiters.Remove(bot, out var tcs)) wake.Add(tcs);
            foreach (var bot in stopped.Where(b => !_stopped.Contains(b))) if (_tenures.Remove(bot, out var tenure)) ended.Add(tenure);
            _stopped = stopped;
        }
        foreach (var tenure in ended) End(tenure); // what the gateway has in flight for a stopped bot stops too
        foreach (var tcs in wake) tcs.TrySetResult();
    }

    public LeaseStanding StandingOf(Entry entry) => LeaseDeadline.Standing(_time.GetElapsedTime(entry.RenewedAt), Timing);

    /// <summary>Every held lease (a copy).</summary>
    public IReadOnlyDictionary<string, Entry> Snapshot()
    {
        lock (_lock) return new Dictionary<string, Entry>(_held, StringComparer.Ordinal);
    }

    public int Count
    {
        get
        {
            lock (_lock) return _held.Count;
        }
    }

    /// <summary>
    /// Leases the database extended in a renewal (or granted in a claim) that started at <paramref name="startedAt"/>;
    /// returns those that are new to this node (their gates may open now).
    /// </summary>
    public IReadOnlyList<LeaseGrant> Extend(IEnumerable<LeaseGrant> grants, long startedAt, bool adopt)
    {
        var gained = new List<LeaseGrant>();
        var wake = new List<TaskCompletionSource>();
        var ended = new List<CancellationTokenSource>();
        lock (_lock)
        {
            foreach (var g in grants)
            {
                if (_held.TryGetValue(g.BotId, out var e) && e.Epoch == g.Epoch)
                {
                    // A renewal that started before the entry was last extended must not move it back.
                    if (startedAt > e.RenewedAt) _held[g.BotId] = e with { RenewedAt = startedAt };
                }
                else if (adopt)
                {
                    // A new epoch is a new tenure: nothing of the old one goes on under it.
                    if (_tenures.Remove(g.BotId, out var old)) ended.Add(old);
                    _held[g.BotId] = new Entry(g.Epoch, startedAt, Releasing: false);
                    gained.Add(g);
                }
                else
                {
                    continue;
                }
                // Held again (new, or renewed after a fence): a gate that waits for it may open now.
                if (IsHeld(g.BotId) && _waiters.Remove(g.BotId, out var tcs)) wake.Add(tcs);
            }
        }
        foreach (var old in ended) End(old);
        foreach (var tcs in wake) tcs.TrySetResult();
        return gained;
    }

    /// <summary>Marks leases as being handed over: their bots are no longer held (nothing starts), the leases are still renewed until released.</summary>
    public void BeginRelease(string botId)
    {
        lock (_lock)
        {
            if (_held.TryGetValue(botId, out var e)) _held[botId] = e with { Releasing = true };
        }
        EndTenure(botId);
    }

    /// <summary>Forgets leases (released, lost, or fenced); returns those it held.</summary>
    public IReadOnlyList<LeaseGrant> Forget(IEnumerable<string> botIds)
    {
        var gone = new List<LeaseGrant>();
        lock (_lock)
        {
            foreach (var id in botIds)
            {
                if (_held.Remove(id, out var e)) gone.Add(new LeaseGrant(id, e.Epoch));
            }
        }
        foreach (var lease in gone) EndTenure(lease.BotId);
        return gone;
    }

    /// <summary>Wakes the gates waiting on these bots (their holder changed: what they show changes with it).</summary>
    public void Wake(IEnumerable<string> botIds)
    {
        var wake = new List<TaskCompletionSource>();
        lock (_lock)
        {
            foreach (var id in botIds)
            {
                if (_waiters.Remove(id, out var tcs)) wake.Add(tcs);
            }
        }
        foreach (var tcs in wake) tcs.TrySetResult();
    }

    /// <summary>Completes when this node gains the lease of <paramref name="botId"/> (or <see cref="Wake"/> is called for it).</summary>
    public Task WhenGainedAsync(string botId, CancellationToken cancellationToken)
    {
        TaskCompletionSource tcs;
        lock (_lock)
        {
            if (IsHeld(botId)) return Task.CompletedTask;
            if (!_waiters.TryGetValue(botId, out tcs!))
            {
                tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters[botId] = tcs;
            }
        }
        return tcs.Task.WaitAsync(cancellationToken);
    }
}
