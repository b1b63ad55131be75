using System.Threading.Channels;
using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;
using Botvisor.Core.Health;
using Botvisor.Core.Logs;
using Botvisor.Core.State;
using Botvisor.Core.Supervision.Attachments;
using Botvisor.Core.Supervision.Gates;
using Botvisor.Core.Supervision.Machine;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Supervision;

/// <summary>
/// The shell around one bot's <see cref="BotMachine"/>: an async loop (no thread of its own) over one
/// channel of signals (commands, the child's exit from the reaper, reaped descendants, its one
/// deadline, gate answers, sd_notify, monitors). Each signal is completed with what the shell observes
/// at that moment (is the group alive?), stepped through the machine, and the machine's effects are
/// carried out in order. It is the only writer of its bot's state.
/// </summary>
public sealed partial class BotSupervisor : IMonitorSink, IWorkerInbox, IAsyncDisposable
{
    private static readonly TimeSpan ConflictEventInterval = TimeSpan.FromSeconds(30);

    private readonly SupervisorServices _services;
    private readonly ILogger _logger;
    // Synchronous continuations: a signal posted while the loop waits is handled on the poster's thread
    // (the reaper's, for an exit) instead of waking a pool thread first. The restart of a killed worker
    // is then spawned by the thread the kernel woke, one wake-up fewer on the path the bench measures.
    // Every step is short and never blocks; commands complete their callers asynchronously.
    private readonly Channel<SupervisorSignal> _signals = Channel.CreateUnbounded<SupervisorSignal>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
    private readonly List<(Func<BotLifecycleState, bool> Done, TaskCompletionSource<BotSnapshot> Tcs)> _waiters = [];
    private readonly Queue<MachineSignal> _next = new();
    private readonly BotLog _log;
    private readonly long _origin;

    private BotMachineState _machine;
    private BotSpec _spec;
    private WorkerProcess? _worker;

    /// <summary>The lease epoch of the worker that has just ended, for the state event its end leads to (then cleared).</summary>
    private long? _endedEpoch;
    private AttachedWorker? _attached;
    private WorkerMonitors? _monitors;
    private bool _exit;
    private long _deadlineGeneration;
    private ITimer? _deadline;
    private readonly GateRunner _gateRunner;
    private long _lastConflictEvent;

    public BotSupervisor(BotSpec spec, SupervisorServices services)
    {
        _spec = spec;
        _machine = BotMachineState.Initial(spec);
        _services = services;
        _gateRunner = new GateRunner(services.StartGates,
            verdict => _next.Enqueue(new MachineSignal.GateAnswered(verdict)),
            (generation, verdict) => Post(new SupervisorSignal.GateAnswered(generation, verdict)),
            generation => Post(new SupervisorSignal.GatesChanged(generation)));
        _origin = services.Time.GetTimestamp();
        _logger = services.LoggerFactory.CreateLogger("Botvisor.Supervisor");
        _log = new BotLog(spec.Id, services.LogDirectory, spec.LogMaxSize, spec.LogMaxFiles);
        Publish(s => s with { State = BotLifecycleState.Pending, Reason = "defined", Source = spec.Source, MaskedToken = spec.Token?.Masked });
        Completion = Task.Run(RunAsync);
    }

    public string Id => _spec.Id;

    /// <summary>The spec in effect (read from other threads; replaced whole, so always consistent).</summary>
    public BotSpec Spec => Volatile.Read(ref _spec);

    /// <summary>The pid (= session) of the current worker, if one is running.</summary>
    public int? WorkerPid => _services.State.Get(Id) is { Pid: { } pid, State: BotLifecycleState.Running or BotLifecycleState.Starting or BotLifecycleState.Stopping } ? pid : null;

    /// <summary>The bot's state as last published (null before the first).</summary>
    public BotLifecycleState? State => _services.State.Get(Id)?.State;

    /// <summary>How the current worker's memory_max and cpu_max are enforced.</summary>
    public LimitEnforcement Limits => _services.State.Get(Id)?.Limits ?? LimitEnforcement.None;

    /// <summary>The bot's captured output.</summary>
    public BotLog Output => _log;

    /// <summary>Completes when the supervisor has ended (after <see cref="BotCommand.Remove"/>).</summary>
    public Task Completion { get; }

    /// <summary>Sends a command; the task completes when its effect is reached (see <see cref="BotCommand"/>).</summary>
    public Task<BotSnapshot> SendAsync(BotCommand command, string reason, BotSpec? spec = null)
    {
        var done = new TaskCompletionSource<BotSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_signals.Writer.TryWrite(new SupervisorSignal.Command(command, spec, reason, done)))
        {
            done.TrySetResult(_services.State.Get(Id) ?? new BotSnapshot { Id = Id, State = BotLifecycleState.Stopped });
        }
        return done.Task;
    }

    /// <summary>Asks the supervisor to end the worker for exceeding a resource limit (from the fleet-wide sampler).</summary>
    public void ReportResourceLimit(string reason) => Post(new SupervisorSignal.ResourceLimitExceeded(reason));

    /// <summary>The gates that let the worker run have closed (in a cluster: its lease was lost or is handed over): the worker is stopped and the gates are asked again.</summary>
    public void CloseGate(string reason) => Post(new SupervisorSignal.GateClosed(reason));

    /// <summary>Kills the worker's group at once (SIGKILL), from any thread: a fenced node whose lease may have lapsed does not wait for its loop.</summary>
    public void KillWorkerNow() => Volatile.Read(ref _worker)?.Kill();

    private void Post(SupervisorSignal signal) => _signals.Writer.TryWrite(signal);

    private async Task RunAsync()
    {
        try
        {
            while (!_exit && await _signals.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (!_exit && _signals.Reader.TryRead(out var signal))
                {
                    await HandleAsync(signal).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex)
        {
            Log.Faulted(_logger, Id, ex);
            // Never leave a worker without its supervisor, nor a state that says it still runs.
            _worker?.Kill();
            ReleaseWorker();
            Publish(s => s with { State = BotLifecycleState.Failed, Reason = $"the bot's supervisor failed ({ex.GetType().Name}: {ex.Message}); its worker was killed", Pid = null });
        }
        finally
        {
            _signals.Writer.TryComplete();
            _deadline?.Dispose();
            _gateRunner.Dispose();
            _monitors?.Dispose();
            var final = _services.State.Get(Id) ?? new BotSnapshot { Id = Id, State = BotLifecycleState.Stopped };
            foreach (var (_, tcs) in _waiters) tcs.TrySetResult(final);
            while (_signals.Reader.TryRead(out var rest))
            {
                if (rest is SupervisorSignal.Command c) c.Done.TrySetResult(final);
            }
            _log.Dispose();
            // The bot is gone (or the daemon is stopping): its cgroup, emptied by the stop, goes too.
            _services.Cgroups?.ForBot(Id).TryRemove();
        }
    }

    /// <summary>Completes a signal with what is observed now and hands it to the machine; drops what is stale.</summary>
    private Task HandleAsync(SupervisorSignal signal) => signal switch
    {
        SupervisorSignal.Command c => OnCommandAsync(c),
        SupervisorSignal.ChildExited e when _worker?.Pid == e.Pid =>
            FeedAsync(new MachineSignal.ChildExited(e.Status, _worker.IsGroupAlive, _worker.OomCause(_machine.Spec))),
        SupervisorSignal.DescendantReaped when _worker is { } w && _machine.Phase is BotPhase.Stopping =>
            FeedAsync(new MachineSignal.GroupChecked(w.IsGroupAlive)),
        SupervisorSignal.DeadlineReached d when d.Generation == _deadlineGeneration =>
            FeedAsync(new MachineSignal.DeadlineReached(_machine.Phase is BotPhase.Stopping && _worker is { IsGroupAlive: true })),
        SupervisorSignal.GateAnswered g when g.Generation == _gateRunner.Generation => FeedAsync(new MachineSignal.GateAnswered(g.Verdict)),
        SupervisorSignal.GatesChanged g when g.Generation == _gateRunner.Generation => AskGatesAgainAsync(),
        SupervisorSignal.NotifyReceived n when _worker is not null => OnNotifyAsync(n.Message),
        SupervisorSignal.MonitorReport r when r.From == _monitors && _machine.Phase is BotPhase.Up => OnMonitorAsync(r),
        SupervisorSignal.ResourceLimitExceeded r when _worker is not null => FeedAsync(new MachineSignal.Fault("memory", r.Reason)),
        SupervisorSignal.WorkerFault f when _worker?.Pid == f.Pid => FeedAsync(new MachineSignal.Fault(f.Check, f.Reason)),
        SupervisorSignal.ConflictDetected => OnConflict(),
        SupervisorSignal.GateClosed g => FeedAsync(new MachineSignal.GateClosed(g.Reason)),
        _ => Task.CompletedTask,
    };

    private async Task OnCommandAsync(SupervisorSignal.Command c)
    {
        var state = _machine.State;
        switch (c.Kind)
        {
            case BotCommand.Start:
                // Stopped: a stop that came after this start (the machine publishes Stopped only when the wish is no longer Run).
                AddWaiter(s => s is BotLifecycleState.Running or BotLifecycleState.Failed or BotLifecycleState.Backoff or BotLifecycleState.Pending or BotLifecycleState.Waiting or BotLifecycleState.Stopped,
                    c.Done, immediate: state == BotLifecycleState.Running);
                await FeedAsync(new MachineSignal.Start(c.Reason)).ConfigureAwait(false);
                break;
            case BotCommand.Stop:
                AddWaiter(s => s.IsTerminal(), c.Done, immediate: state.IsTerminal());
                await FeedAsync(new MachineSignal.Stop(c.Reason)).ConfigureAwait(false);
                break;
            case BotCommand.Restart:
                AddWaiter(s => s is BotLifecycleState.Running or BotLifecycleState.Failed or BotLifecycleState.Backoff or BotLifecycleState.Waiting or BotLifecycleState.Stopped, c.Done, immediate: false);
                await FeedAsync(new MachineSignal.Restart(c.Reason)).ConfigureAwait(false);
                break;
            case BotCommand.Update:
                await FeedAsync(new MachineSignal.Update(c.Spec ?? _machine.Spec, c.Reason)).ConfigureAwait(false);
                c.Done.TrySetResult(_services.State.Get(Id)!);
                break;
            case BotCommand.Remove:
                AddWaiter(_ => false, c.Done, immediate: false); // completed when the loop ends
                await FeedAsync(new MachineSignal.Remove(c.Reason)).ConfigureAwait(false);
                break;
        }
    }

    private async Task OnNotifyAsync(NotifyMessage message)
    {
        if (NotifyTranslation.SnapshotChange(message) is { } change) Publish(change);
        foreach (var signal in NotifyTranslation.Signals(message)) await FeedAsync(signal).ConfigureAwait(false);
    }

    private Task OnMonitorAsync(SupervisorSignal.MonitorReport report) => report switch
    {
        { Fault: { } fault } => FeedAsync(fault),
        _ => SetCheckAsync(report.Check, report.Healthy, report.Message),
    };

    private Task SetCheckAsync(string check, bool healthy, string message)
    {
        SetCheck(check, healthy, message);
        return Task.CompletedTask;
    }

    // ---- the machine -------------------------------------------------------------------------

    /// <summary>Steps the machine with the signal and carries out its effects; answers effects produce (a spawn's outcome) are the next steps.</summary>
    private Task FeedAsync(MachineSignal signal)
    {
        _next.Enqueue(signal);
        return DrainAsync();
    }

    /// <summary>A gate that said "wait until something changes" may answer otherwise now.</summary>
    private Task AskGatesAgainAsync()
    {
        _gateRunner.Run(_machine.Spec, _machine.GateAttempts);
        return DrainAsync();
    }

    private async Task DrainAsync()
    {
        while (_next.TryDequeue(out var next))
        {
            var time = new MachineTime(_services.Time.GetElapsedTime(_origin), _services.Time.GetUtcNow(), _services.Random());
            var (state, effects) = BotMachine.Step(_machine, next, time);
            _machine = state;
            foreach (var effect in effects) await CarryOutAsync(effect).ConfigureAwait(false);
        }
    }

    private Task CarryOutAsync(MachineEffect effect)
    {
        switch (effect)
        {
            case MachineEffect.SetState s: SetState(s.State, s.Reason, s.More); break;
            case MachineEffect.Publish p: Publish(p.Change); break;
            case MachineEffect.SetCheck c: SetCheck(c.Name, c.Healthy, c.Message); break;
            case MachineEffect.RunGates g: _gateRunner.Run(_machine.Spec, g.Attempt); break;
            case MachineEffect.CancelGates: _gateRunner.Cancel(); break;
            case MachineEffect.Spawn: return SpawnAsync();
            case MachineEffect.SignalGroup s: _worker?.Signal(s.Signal); break;
            case MachineEffect.KillGroup: _worker?.Kill(); break;
            case MachineEffect.ArmDeadline a: ArmDeadline(a.After); break;
            case MachineEffect.Disarm: Disarm(); break;
            case MachineEffect.StartMonitors: StartMonitors(); break;
            case MachineEffect.StopMonitors: StopMonitors(); break;
            case MachineEffect.ReleaseWorker: ReleaseWorker(); break;
            case MachineEffect.ApplySpec a: ApplySpec(a.Spec); break;
            case MachineEffect.LogExited e: Log.WorkerExited(_logger, Id, e.Pid, e.Status.ToString(), DurationParser.Format(e.Uptime)); break;
            case MachineEffect.LogKilled k: Log.GroupKilled(_logger, Id, k.Pid, DurationParser.Format(k.After)); break;
            case MachineEffect.LogLingering l: Log.GroupLingering(_logger, Id, l.Pid); break;
            case MachineEffect.LogMemoryLimit m: Log.MemoryLimitReached(_logger, Id, m.Cause); break;
            case MachineEffect.Exit: _exit = true; break;
        }
        return Task.CompletedTask;
    }

    private void ApplySpec(BotSpec spec)
    {
        Volatile.Write(ref _spec, spec);
        _log.Configure(spec.LogMaxSize, spec.LogMaxFiles);
        Publish(s => s with { Source = spec.Source, MaskedToken = spec.Token?.Masked });
    }

    // ---- the worker ---------------------------------------------------------------------------

    private async Task SpawnAsync()
    {
        var spec = _machine.Spec;
        WorkerProcess worker;
        try
        {
            worker = WorkerProcess.Spawn(spec, _services, _logger, (pid, status) => Post(new SupervisorSignal.ChildExited(pid, status)), Limits);
        }
        catch (SpawnException ex)
        {
            Log.SpawnFailed(_logger, Id, ex.Message);
            _next.Enqueue(new MachineSignal.SpawnFailed(ex.Message));
            return;
        }
        _worker = worker;
        Log.WorkerStarted(_logger, Id, worker.Pid, _services.Masker.MaskDefinition(string.Join(' ', spec.Command)));
        var attached = _attached = new AttachedWorker(Id, worker, _log, this);
        foreach (var attachment in _services.Attachments) await attachment.SpawnedAsync(attached).ConfigureAwait(false);
        var limits = worker.Limits;
        Publish(s => s with { Limits = limits });
        _next.Enqueue(new MachineSignal.Spawned(worker.Pid, worker.Cgroup is not null));
    }

    /// <summary>Nothing of the worker is left: what hung on it is let go, in the reverse order.</summary>
    private void ReleaseWorker()
    {
        _endedEpoch = _worker?.Record.Epoch;
        _worker = null;
        if (_attached is not { } attached) return;
        _attached = null;
        var attachments = _services.Attachments;
        for (int i = attachments.Count - 1; i >= 0; i--) attachments[i].Ended(attached);
    }

    void IWorkerInbox.Post(SupervisorSignal signal) => Post(signal);

    // ---- monitors -----------------------------------------------------------------------------

    private void StartMonitors()
    {
        _monitors?.Dispose();
        _monitors = new WorkerMonitors(_machine.Spec, _services.Time, _services.Checks, _services.HttpProbe, _services.Telegram, this);
        _monitors.Start();
    }

    private void StopMonitors()
    {
        _monitors?.Dispose();
        _monitors = null;
    }

    void IMonitorSink.Checked(WorkerMonitors from, string check, bool healthy, string message) =>
        Post(new SupervisorSignal.MonitorReport(from, check, healthy, message, null));

    void IMonitorSink.Fault(WorkerMonitors from, string check, string reason) =>
        Post(new SupervisorSignal.MonitorReport(from, check, false, reason, new MachineSignal.Fault(check, reason)));

    void IMonitorSink.TokenRejected(WorkerMonitors from, string reason, string failReason) =>
        Post(new SupervisorSignal.MonitorReport(from, "telegram", false, reason, new MachineSignal.TokenRejected(reason, failReason)));

    private Task OnConflict()
    {
        var snapshot = Publish(s => s with { Conflicts = s.Conflicts + 1 });
        if (_lastConflictEvent == 0 || _services.Time.GetElapsedTime(_lastConflictEvent) >= ConflictEventInterval)
        {
            _lastConflictEvent = _services.Time.GetTimestamp();
            const string message = "another instance is polling this token (Telegram answered 409 Conflict: terminated by other getUpdates request)";
            Log.PollingConflict(_logger, Id, snapshot.Conflicts);
            _services.Store.Record(new BotEvent { Time = _services.Time.GetUtcNow(), Kind = BotEventKinds.Health, BotId = Id, State = _machine.State.ToName(), Message = message });
        }
        return Task.CompletedTask;
    }

    // ---- the one deadline ---------------------------------------------------------------------

    private void ArmDeadline(TimeSpan after)
    {
        // Settings are at most 30 days (the loader says so); a wait asked from outside (Telegram's retry_after) is cut there too.
        if (after > Configuration.FleetFileLoader.LongestDuration) after = Configuration.FleetFileLoader.LongestDuration;
        _deadline?.Dispose();
        _deadline = null;
        long generation = ++_deadlineGeneration;
        if (after <= TimeSpan.Zero)
        {
            // Due now (backoff.initial: 0s): handled next by this loop, without a trip through a timer.
            Post(new SupervisorSignal.DeadlineReached(generation));
            return;
        }
        _deadline = _services.Time.CreateTimer(static state =>
        {
            var (self, gen) = ((BotSupervisor, long))state!;
            self.Post(new SupervisorSignal.DeadlineReached(gen));
        }, (this, generation), after, Timeout.InfiniteTimeSpan);
    }

    private void Disarm()
    {
        _deadlineGeneration++;
        _deadline?.Dispose();
        _deadline = null;
    }

    // ---- publishing ---------------------------------------------------------------------------

    private void SetState(BotLifecycleState state, string reason, Func<BotSnapshot, BotSnapshot>? more)
    {
        var restarts = _machine.Restarts;
        var failures = _machine.ConsecutiveFailures;
        var snapshot = Publish(s =>
        {
            var next = s with { State = state, Reason = reason, Restarts = restarts, ConsecutiveFailures = failures };
            return more is null ? next : more(next);
        });
        Log.StateChanged(_logger, Id, state.ToName(), reason);
        _services.Store.Record(new BotEvent
        {
            Time = _services.Time.GetUtcNow(),
            Kind = BotEventKinds.State,
            BotId = Id,
            State = state.ToName(),
            Message = reason,
            Epoch = EventEpoch(state),
        });
        if (_worker is null) _endedEpoch = null;

        for (int i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].Done(state))
            {
                _waiters[i].Tcs.TrySetResult(snapshot);
                _waiters.RemoveAt(i);
            }
        }
    }

    /// <summary>
    /// The lease epoch a state event carries (in a cluster): the worker's (it started under it); the ended worker's
    /// for the exit its end leads to (backoff, stopped, failed; not a wait for the next lease); and for a start about
    /// to spawn, the lease its gates have just seen held.
    /// </summary>
    private long? EventEpoch(BotLifecycleState state) => _worker is { } worker ? worker.Record.Epoch : state switch
    {
        BotLifecycleState.Backoff or BotLifecycleState.Stopped or BotLifecycleState.Failed => _endedEpoch,
        BotLifecycleState.Starting => _services.Leases?.HeldEpoch(Id),
        _ => null,
    };

    /// <summary>The result of one check; a change of the verdict is logged and recorded.</summary>
    private void SetCheck(string name, bool healthy, string message)
    {
        var before = _services.State.Get(Id)?.Health ?? HealthVerdict.Unknown;
        var now = _services.Time.GetUtcNow();
        var after = Publish(s =>
        {
            var checks = new Dictionary<string, CheckResult>(s.Checks) { [name] = new CheckResult(healthy, message, now) };
            return s with { Checks = checks, Health = HealthVerdicts.Of(checks) };
        });
        if (after.Health != before)
        {
            var reason = $"health {before.ToString().ToLowerInvariant()} -> {after.Health.ToString().ToLowerInvariant()} ({name}: {message})";
            Log.HealthChanged(_logger, Id, reason);
            _services.Store.Record(new BotEvent { Time = now, Kind = BotEventKinds.Health, BotId = Id, State = _machine.State.ToName(), Message = reason });
        }
    }

    private BotSnapshot Publish(Func<BotSnapshot, BotSnapshot> update) => _services.State.Publish(Id, update);

    private void AddWaiter(Func<BotLifecycleState, bool> done, TaskCompletionSource<BotSnapshot> tcs, bool immediate)
    {
        if (immediate) tcs.TrySetResult(_services.State.Get(Id)!);
        else _waiters.Add((done, tcs));
    }

    public async ValueTask DisposeAsync()
    {
        await SendAsync(BotCommand.Remove, "disposed").ConfigureAwait(false);
        await Completion.ConfigureAwait(false);
    }
}
