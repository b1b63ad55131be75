namespace Botvisor.Core.Alerts;

/// <summary>
/// Decides what to tell and when, with no I/O and no clock (the time comes in with each call), in the
/// spirit of Alertmanager:
/// <list type="bullet">
/// <item>one alert per subject and kind: repeats of a problem that is already open only refresh it;</item>
/// <item><b>wait</b>: a problem is told only once it has lasted <see cref="AlertTimings.Wait"/>, and a
/// recovery only once it has held that long; a problem that clears (or returns) meanwhile is never told:
/// a bot that flaps yields one alert and one recovery, not one per crash;</item>
/// <item><b>group</b>: at most one notification per <see cref="AlertTimings.Group"/>; whatever became due
/// meanwhile goes in it (a batch of many new alerts is rendered as a digest);</item>
/// <item><b>repeat</b>: a problem that stands is told again every <see cref="AlertTimings.Repeat"/>;</item>
/// <item>an unhealthy bot is a problem once it has been unhealthy for <see cref="AlertTimings.UnhealthyAfter"/>;
/// <see cref="AlertTimings.StormRestarts"/> restarts within <see cref="AlertTimings.StormWindow"/> is a restart storm;
/// kinds with no end event end after <see cref="AlertTimings.QuietResolve"/> without a repeat;</item>
/// <item>silences hold alerts back; a problem still standing when its silence ends is told then.</item>
/// </list>
/// Not thread-safe: its owner serialises calls.
/// </summary>
public sealed class AlertEngine
{
    private readonly Dictionary<AlertKey, OpenAlert> _open = [];
    private readonly Dictionary<string, (DateTimeOffset Since, string Reason, long? EventId)> _unhealthySince = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<DateTimeOffset>> _restarts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _notRunning = new(StringComparer.Ordinal);
    private readonly List<Silence> _silences = [];
    private DateTimeOffset? _lastSent;

    public AlertEngine(AlertTimings timings) => Timings = timings;

    public AlertTimings Timings { get; }

    private enum Phase
    {
        /// <summary>Not told yet; due at <see cref="OpenAlert.DueAt"/>.</summary>
        Pending,

        /// <summary>Told; still a problem.</summary>
        Told,

        /// <summary>Told, and over since <see cref="OpenAlert.EndedAt"/>: the recovery is due after the wait.</summary>
        Ending,
    }

    private sealed class OpenAlert(AlertKey key, string reason, DateTimeOffset since, long? eventId)
    {
        public AlertKey Key { get; } = key;
        public string Reason { get; set; } = reason;
        public long? EventId { get; set; } = eventId;
        public DateTimeOffset StartedAt { get; } = since;
        public DateTimeOffset LastSeen { get; set; } = since;
        public DateTimeOffset DueAt { get; set; }
        public Phase Phase { get; set; }
        public DateTimeOffset ToldAt { get; set; }
        public DateTimeOffset? EndedAt { get; set; }
        public string? EndReason { get; set; }

        public AlertNotice Notice() => new(Key, Reason, StartedAt, EndedAt, EndReason, EventId);
    }

    /// <summary>The problems that stand now (pending or told), oldest first.</summary>
    public IReadOnlyList<AlertNotice> Open =>
        _open.Values.Where(a => a.Phase != Phase.Ending).OrderBy(a => a.StartedAt).Select(a => a.Notice()).ToList();

    public void Observe(AlertSignal signal, DateTimeOffset now)
    {
        switch (signal)
        {
            case AlertSignal.Fire f:
                Fire(f.Key, f.Reason, f.EventId, now, dueAt: now + Timings.Wait);
                break;
            case AlertSignal.Resolve r:
                if (r.Key.Kind == AlertKind.Unhealthy) _unhealthySince.Remove(r.Key.Subject);
                Resolve(r.Key, r.Reason, now);
                break;
            case AlertSignal.UnhealthyBegan u when !_notRunning.Contains(u.BotId):
                _unhealthySince.TryAdd(u.BotId, (now, u.Reason, u.EventId));
                break;
            case AlertSignal.StateChanged { Running: true } s:
                _notRunning.Remove(s.BotId);
                break;
            case AlertSignal.StateChanged s:
                // A bot that is not running is not "unhealthy": its failure is an alert of its own.
                _notRunning.Add(s.BotId);
                _unhealthySince.Remove(s.BotId);
                Resolve(new AlertKey(s.BotId, AlertKind.Unhealthy), "the bot is no longer running", now);
                break;
            case AlertSignal.Restarted r:
                CountRestart(r.BotId, r.Reason, now);
                break;
        }
    }

    private void Fire(AlertKey key, string reason, long? eventId, DateTimeOffset now, DateTimeOffset dueAt)
    {
        if (_open.TryGetValue(key, out var alert))
        {
            alert.LastSeen = now;
            alert.Reason = reason;
            alert.EventId = eventId ?? alert.EventId;
            if (alert.Phase == Phase.Ending)
            {
                // Back before its recovery was told: the recovery is not sent, and neither is a new alert.
                alert.Phase = Phase.Told;
                alert.EndedAt = null;
                alert.EndReason = null;
            }
            return;
        }
        _open[key] = new OpenAlert(key, reason, now, eventId) { DueAt = dueAt, Phase = Phase.Pending };
    }

    private void Resolve(AlertKey key, string reason, DateTimeOffset now)
    {
        if (!_open.TryGetValue(key, out var alert)) return;
        switch (alert.Phase)
        {
            case Phase.Pending:
                _open.Remove(key); // over before anyone was told: nothing to say
                break;
            case Phase.Told:
                alert.Phase = Phase.Ending;
                alert.EndedAt = now;
                alert.EndReason = reason;
                break;
        }
    }

    private void CountRestart(string bot, string reason, DateTimeOffset now)
    {
        if (!_restarts.TryGetValue(bot, out var times)) _restarts[bot] = times = new Queue<DateTimeOffset>();
        times.Enqueue(now);
        while (times.Count > 0 && now - times.Peek() > Timings.StormWindow) times.Dequeue();
        var key = new AlertKey(bot, AlertKind.RestartStorm);
        if (times.Count >= Timings.StormRestarts || _open.ContainsKey(key))
        {
            Fire(key, $"{times.Count} restarts within {Configuration.DurationParser.Format(Timings.StormWindow)} (last: {reason})", null, now, dueAt: now + Timings.Wait);
        }
    }

    /// <summary>Forgets a bot that was removed from the fleet: its open alerts end without a recovery.</summary>
    public void Forget(string subject)
    {
        foreach (var key in _open.Keys.Where(k => k.Subject == subject).ToList()) _open.Remove(key);
        _unhealthySince.Remove(subject);
        _restarts.Remove(subject);
        _notRunning.Remove(subject);
    }

    // ---- silences -----------------------------------------------------------------------------

    public IReadOnlyList<Silence> Silences(DateTimeOffset now) => _silences.Where(s => s.Until > now).ToList();

    /// <summary>Adds a silence; one for the same target and kind is replaced.</summary>
    public void Mute(Silence silence)
    {
        _silences.RemoveAll(s => s.Target == silence.Target && s.Kind == silence.Kind);
        _silences.Add(silence);
    }

    /// <summary>Ends the silences of a target (and kind, if given); returns how many there were.</summary>
    public int Unmute(string target, AlertKind? kind) => _silences.RemoveAll(s => s.Target == target && (kind is null || s.Kind == kind));

    private bool Silenced(AlertKey key, DateTimeOffset now) => _silences.Exists(s => s.Until > now && s.Matches(key));

    // ---- the clock ----------------------------------------------------------------------------

    /// <summary>
    /// Advances time-based rules (unhealthy thresholds, quiet ends, expired silences) and returns the
    /// notification due now, or null when there is nothing to tell yet (or the group interval holds it back).
    /// </summary>
    public AlertBatch? Flush(DateTimeOffset now)
    {
        _silences.RemoveAll(s => s.Until <= now);
        foreach (var (bot, (since, reason, eventId)) in _unhealthySince)
        {
            var key = new AlertKey(bot, AlertKind.Unhealthy);
            if (now - since >= Timings.UnhealthyAfter && !_open.ContainsKey(key))
            {
                Fire(key, $"unhealthy for {Configuration.DurationParser.Format(now - since)} ({reason})", eventId, now, dueAt: now);
            }
        }
        foreach (var alert in _open.Values.Where(a => a.Key.Kind.EndsWhenQuiet() && a.Phase != Phase.Ending).ToList())
        {
            var quiet = alert.Key.Kind == AlertKind.RestartStorm ? Timings.StormWindow : Timings.QuietResolve;
            if (now - alert.LastSeen >= quiet) Resolve(alert.Key, $"no repeat for {Configuration.DurationParser.Format(quiet)}", alert.LastSeen + quiet);
        }

        var firing = new List<OpenAlert>();
        var repeated = new List<OpenAlert>();
        var resolved = new List<OpenAlert>();
        foreach (var alert in _open.Values)
        {
            bool silenced = Silenced(alert.Key, now);
            switch (alert.Phase)
            {
                case Phase.Pending when alert.DueAt <= now && !silenced:
                    firing.Add(alert);
                    break;
                case Phase.Told when now - alert.ToldAt >= Timings.Repeat && !silenced:
                    repeated.Add(alert);
                    break;
                case Phase.Ending when now - alert.EndedAt!.Value >= Timings.Wait:
                    if (silenced) _open.Remove(alert.Key); // kept quiet: the recovery too
                    else resolved.Add(alert);
                    break;
            }
        }
        if (firing.Count + repeated.Count + resolved.Count == 0) return null;
        if (_lastSent is { } last && now - last < Timings.Group) return null;

        _lastSent = now;
        foreach (var a in firing.Concat(repeated))
        {
            a.Phase = Phase.Told;
            a.ToldAt = now;
        }
        foreach (var a in resolved) _open.Remove(a.Key);
        static List<AlertNotice> Notices(List<OpenAlert> list) => list.OrderBy(a => a.StartedAt).ThenBy(a => a.Key.Subject, StringComparer.Ordinal).Select(a => a.Notice()).ToList();
        return new AlertBatch(now, Notices(firing), Notices(repeated), Notices(resolved));
    }
}
