using System.Threading.Channels;
using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;
using Botvisor.Core.Health;
using Botvisor.Core.Logs;
using Botvisor.Core.State;
using Botvisor.Core.Storage;
using Botvisor.Core.Telegram;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Supervision;

/// <summary>
/// The one owner of one bot: an async loop (no thread of its own) that waits on a single channel of
/// signals (commands, the child's exit from the reaper, re-parented descendants being reaped, its
/// one deadline) and is the only writer of its bot's state. Every transition is published as a
/// snapshot and recorded as an event.
/// </summary>
/// <remarks>
/// The single deadline means, by state: <c>Backoff</c> → start again; <c>Stopping</c> → SIGKILL the
/// group (then, rarely, re-check a group that outlives SIGKILL).
/// When the worker's main process dies on its own, what is left of its process group is ended
/// (stop signal, then SIGKILL after <c>stop_timeout</c>) before anything else happens, so a crashed
/// bot's child can never poll next to its replacement.
/// </remarks>
public sealed partial class BotSupervisor
{
    private static readonly TimeSpan LingerCheck = TimeSpan.FromSeconds(5);

    /// <summary>How often a cgroup is looked at while processes that left the worker's process group are still in it.</summary>
    private static readonly TimeSpan CgroupPoll = TimeSpan.FromMilliseconds(100);

    private readonly SupervisorServices _services;
    private readonly ILogger _logger;
    // Synchronous continuations: a signal posted while the loop waits is handled on the poster's thread
    // (the reaper's, for an exit) instead of waking a pool thread first. The restart of a killed worker
    // is then spawned by the thread the kernel woke, one wake-up fewer on the path the bench measures.
    // Every step is short and never blocks; commands complete their callers asynchronously.
    private readonly Channel<SupervisorSignal> _signals = Channel.CreateUnbounded<SupervisorSignal>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
    private readonly List<(Func<BotLifecycleState, bool> Done, TaskCompletionSource<BotSnapshot> Tcs)> _waiters = [];
    private readonly BotLog _log;

    private BotSpec _spec;
    private BotLifecycleState _state = BotLifecycleState.Pending;
    private WorkerRun? _worker;
    private AfterGroupEnds _after;
    private string _stopReason = "";
    private bool _killSent;
    private long _stopStarted;
    private long _killedAt;
    private bool _everStarted;
    private bool _exit;
    private int _consecutiveFailures;
    private int _restarts;
    private long _deadlineGeneration;
    private ITimer? _deadline;
    private long _dependencyGeneration;
    private CancellationTokenSource? _dependencyWait;
    private long _preflightGeneration;
    private int _preflightFailures;
    private ITimer? _tokenCheck;
    private long _tokenCheckGeneration;
    private string _failReason = "";
    private long _lastConflictEvent;
    private string? _failureCause;
    private TimeSpan? _watchdogOverride;
    private ITimer? _probeTimer;
    private long _probeGeneration;
    private int _probeFailures;
    private static readonly TimeSpan ConflictEventInterval = TimeSpan.FromSeconds(30);

    private enum AfterGroupEnds
    {
        /// <summary>The worker died on its own: apply the restart policy.</summary>
        ApplyPolicy,
        Stop,
        Start,
        Exit,

        /// <summary>Stopped because it must not run (token revoked): Failed with <c>_failReason</c>.</summary>
        Fail,
    }

    private sealed class WorkerRun
    {
        public required int Pid { get; init; }
        public required long StartTimestamp { get; init; }
        public required WorkerRecord Record { get; init; }
        public Cgroups.BotCgroup? Cgroup { get; init; }
        public long OomKillsAtStart { get; init; }
        public ExitStatus? Exit { get; set; }
    }

    public BotSupervisor(BotSpec spec, SupervisorServices services)
    {
        _spec = spec;
        _services = services;
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
            // Never leave a worker without its supervisor.
            if (_worker is { } w) KillWorker(w);
        }
        finally
        {
            _signals.Writer.TryComplete();
            _deadline?.Dispose();
            _tokenCheck?.Dispose();
            _probeTimer?.Dispose();
            _dependencyWait?.Cancel();
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

    // ---- the transition table ------------------------------------------------------------------

    private Task HandleAsync(SupervisorSignal signal) => (_state, signal) switch
    {
        (_, SupervisorSignal.Command c) => OnCommandAsync(c),

        (BotLifecycleState.Running or BotLifecycleState.Starting, SupervisorSignal.ChildExited e) when IsCurrent(e.Pid) => OnUnexpectedExitAsync(e.Status),
        (BotLifecycleState.Stopping, SupervisorSignal.ChildExited e) when IsCurrent(e.Pid) => OnExitWhileStoppingAsync(e.Status),
        (_, SupervisorSignal.ChildExited) => Task.CompletedTask,

        (BotLifecycleState.Stopping, SupervisorSignal.DescendantReaped) => CheckGroupEndedAsync(),
        (_, SupervisorSignal.DescendantReaped) => Task.CompletedTask,

        (BotLifecycleState.Backoff, SupervisorSignal.DeadlineReached d) when d.Generation == _deadlineGeneration => BeginStartAsync(_preflightFailures > 0
            ? "trying the Bot API again"
            : $"restarting after backoff (restart {_consecutiveFailures} of {_spec.MaxRestarts})"),
        (BotLifecycleState.Stopping, SupervisorSignal.DeadlineReached d) when d.Generation == _deadlineGeneration => OnStopDeadlineAsync(),
        (BotLifecycleState.Starting, SupervisorSignal.DeadlineReached d) when d.Generation == _deadlineGeneration && _worker is not null =>
            FailWorker($"start timeout: no READY=1 within {DurationParser.Format(_spec.StartTimeout)}", "notify"),
        (BotLifecycleState.Running, SupervisorSignal.DeadlineReached d) when d.Generation == _deadlineGeneration && WatchdogInterval is { } w =>
            FailWorker($"watchdog timeout: no WATCHDOG=1 within {DurationParser.Format(w)}", "watchdog"),
        (_, SupervisorSignal.DeadlineReached) => Task.CompletedTask,

        (BotLifecycleState.Starting or BotLifecycleState.Running or BotLifecycleState.Stopping, SupervisorSignal.NotifyReceived n) when _worker is not null => OnNotify(n.Message),
        (_, SupervisorSignal.NotifyReceived) => Task.CompletedTask,

        (BotLifecycleState.Running, SupervisorSignal.ProbeDue p) when p.Generation == _probeGeneration => StartProbe(),
        (BotLifecycleState.Running, SupervisorSignal.ProbeCompleted c) when c.Generation == _probeGeneration => OnProbe(c.Result),
        (_, SupervisorSignal.ProbeDue or SupervisorSignal.ProbeCompleted) => Task.CompletedTask,

        (BotLifecycleState.Starting or BotLifecycleState.Running, SupervisorSignal.ResourceLimitExceeded r) when _worker is not null => FailWorker(r.Reason, "memory"),
        (_, SupervisorSignal.ResourceLimitExceeded) => Task.CompletedTask,

        (BotLifecycleState.Pending, SupervisorSignal.DependenciesReady d) when d.Generation == _dependencyGeneration => BeginStartAsync("dependencies are running: " + string.Join(", ", _spec.DependsOn)),
        (_, SupervisorSignal.DependenciesReady) => Task.CompletedTask,

        (BotLifecycleState.Starting, SupervisorSignal.PreflightCompleted p) when p.Generation == _preflightGeneration && _worker is null => OnPreflightAsync(p.Result),
        (_, SupervisorSignal.PreflightCompleted) => Task.CompletedTask,

        (BotLifecycleState.Running, SupervisorSignal.TokenCheckDue t) when t.Generation == _tokenCheckGeneration => StartTokenCheck(),
        (_, SupervisorSignal.TokenCheckDue) => Task.CompletedTask,
        (BotLifecycleState.Running, SupervisorSignal.TokenCheckCompleted c) when c.Generation == _tokenCheckGeneration => OnTokenCheck(c.Result),
        (_, SupervisorSignal.TokenCheckCompleted) => Task.CompletedTask,

        (_, SupervisorSignal.ConflictDetected) => OnConflict(),

        _ => Task.CompletedTask,
    };

    private async Task OnCommandAsync(SupervisorSignal.Command c)
    {
        switch (c.Kind)
        {
            case BotCommand.Start:
                AddWaiter(s => s is BotLifecycleState.Running or BotLifecycleState.Failed or BotLifecycleState.Backoff or BotLifecycleState.Pending, c.Done, immediate: _state == BotLifecycleState.Running);
                if (_state is BotLifecycleState.Stopped or BotLifecycleState.Failed or BotLifecycleState.Pending or BotLifecycleState.Backoff)
                {
                    _consecutiveFailures = 0;
                    _preflightFailures = 0;
                    await StartOrWaitAsync(c.Reason).ConfigureAwait(false);
                }
                else if (_state == BotLifecycleState.Stopping)
                {
                    _after = AfterGroupEnds.Start;
                }
                break;

            case BotCommand.Stop:
                AddWaiter(s => s.IsTerminal(), c.Done, immediate: _state.IsTerminal());
                await StopAsync(AfterGroupEnds.Stop, c.Reason).ConfigureAwait(false);
                break;

            case BotCommand.Restart:
                AddWaiter(s => s is BotLifecycleState.Running or BotLifecycleState.Failed or BotLifecycleState.Backoff, c.Done, immediate: false);
                _consecutiveFailures = 0;
                await RestartAsync(c.Reason).ConfigureAwait(false);
                break;

            case BotCommand.Update:
                var spec = c.Spec ?? _spec;
                bool changed = !spec.Equals(_spec);
                Volatile.Write(ref _spec, spec);
                _log.Configure(spec.LogMaxSize, spec.LogMaxFiles);
                Publish(s => s with { Source = spec.Source, MaskedToken = spec.Token?.Masked });
                if (changed && _state is BotLifecycleState.Running or BotLifecycleState.Starting or BotLifecycleState.Stopping)
                {
                    _consecutiveFailures = 0;
                    await RestartAsync(c.Reason).ConfigureAwait(false);
                }
                c.Done.TrySetResult(_services.State.Get(Id)!);
                break;

            case BotCommand.Remove:
                AddWaiter(_ => false, c.Done, immediate: false); // completed when the loop ends
                await StopAsync(AfterGroupEnds.Exit, c.Reason).ConfigureAwait(false);
                break;
        }
    }

    // ---- starting ------------------------------------------------------------------------------

    private async Task StartOrWaitAsync(string reason)
    {
        var missing = _spec.DependsOn.Where(d => _services.State.Get(d)?.State != BotLifecycleState.Running).ToList();
        if (missing.Count == 0)
        {
            await BeginStartAsync(reason).ConfigureAwait(false);
            return;
        }

        SetState(BotLifecycleState.Pending, "waiting for " + string.Join(", ", missing) + " to be running");
        _dependencyWait?.Cancel();
        _dependencyWait = new CancellationTokenSource();
        long generation = ++_dependencyGeneration;
        var token = _dependencyWait.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.WhenAll(missing.Select(d => _services.State.WaitForStateAsync(d, [BotLifecycleState.Running], token))).ConfigureAwait(false);
                Post(new SupervisorSignal.DependenciesReady(generation));
            }
            catch (OperationCanceledException)
            {
            }
        }, token);
    }

    /// <summary>Starts a worker, after checking its token with Telegram when the bot has one and validation is on.</summary>
    private async Task BeginStartAsync(string reason)
    {
        var spec = _spec;
        if (spec.Token is null || !spec.TelegramValidate || _services.Telegram is not { } api)
        {
            await SpawnAsync(reason).ConfigureAwait(false);
            return;
        }
        Disarm();
        SetState(BotLifecycleState.Starting, reason + "; checking the token with getMe");
        long generation = ++_preflightGeneration;
        var time = _services.Time;
        RunAside(() => TokenPreflight.RunAsync(api, spec, time, CancellationToken.None), Unreachable,
            result => new SupervisorSignal.PreflightCompleted(generation, result));
    }

    private static TelegramResult<TelegramBotInfo> Unreachable(Exception ex) =>
        TelegramResult<TelegramBotInfo>.Fail(new TelegramFailure(TelegramFailureKind.Unreachable, null, ex.GetType().Name));

    /// <summary>Runs slow I/O off the loop; its result comes back as a signal, so the loop never waits on the network.</summary>
    private void RunAside<T>(Func<Task<T>> work, Func<Exception, T> onError, Func<T, SupervisorSignal> toSignal) =>
        _ = Task.Run(async () =>
        {
            T result;
            try
            {
                result = await work().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                result = onError(ex);
            }
            Post(toSignal(result));
        });

    private async Task OnPreflightAsync(TelegramResult<TelegramBotInfo> result)
    {
        if (result.Value is { } me)
        {
            _preflightFailures = 0;
            Publish(s => s with { TelegramUsername = me.Username });
            await SpawnAsync($"token accepted by Telegram (@{me.Username})").ConfigureAwait(false);
            return;
        }
        var failure = result.Failure!;
        if (failure.Kind == TelegramFailureKind.Rejected)
        {
            SetState(BotLifecycleState.Failed, $"token rejected by Telegram ({failure}); not restarting: fix the token, then start the bot");
            return;
        }
        // Telegram or the network is the problem, not the bot: keep trying, without spending the restart budget.
        _preflightFailures++;
        var delay = BackoffPolicy.Delay(_spec.Backoff, _preflightFailures, _services.Random());
        if (failure.RetryAfter is { } after && after > delay) delay = after;
        var at = _services.Time.GetUtcNow() + delay;
        SetState(BotLifecycleState.Backoff,
            $"cannot check the token with the Bot API at {_spec.TelegramApiBaseUrl}: {failure}; trying again in {DurationParser.Format(delay)}",
            s => s with { NextStartAt = at });
        ArmDeadline(delay);
    }

    private void ArmTokenCheck()
    {
        _tokenCheck?.Dispose();
        _tokenCheck = null;
        long generation = ++_tokenCheckGeneration;
        if (_spec is not { Token: not null, TelegramCheckInterval: { } every } || _services.Telegram is null) return;
        _tokenCheck = _services.Time.CreateTimer(static state =>
        {
            var (self, gen) = ((BotSupervisor, long))state!;
            self.Post(new SupervisorSignal.TokenCheckDue(gen));
        }, (this, generation), every, every);
    }

    private Task StartTokenCheck()
    {
        var spec = _spec;
        var api = _services.Telegram!;
        long generation = _tokenCheckGeneration;
        var time = _services.Time;
        RunAside(() => TokenPreflight.WithRetryAfterAsync(() => api.GetMeAsync(spec.TelegramApiBaseUrl, spec.Token!, CancellationToken.None), time, CancellationToken.None),
            Unreachable, result => new SupervisorSignal.TokenCheckCompleted(generation, result));
        return Task.CompletedTask;
    }

    private Task OnTokenCheck(TelegramResult<TelegramBotInfo> result)
    {
        if (result.Failure is not { Kind: TelegramFailureKind.Rejected } failure) return Task.CompletedTask;
        _failReason = $"token rejected by Telegram while running ({failure}); not restarting: fix the token, then start the bot";
        _after = AfterGroupEnds.Fail;
        BeginStop($"token rejected by Telegram while running ({failure})");
        return Task.CompletedTask;
    }

    private Task OnConflict()
    {
        var snapshot = Publish(s => s with { Conflicts = s.Conflicts + 1 });
        if (_lastConflictEvent == 0 || _services.Time.GetElapsedTime(_lastConflictEvent) >= ConflictEventInterval)
        {
            _lastConflictEvent = _services.Time.GetTimestamp();
            const string message = "another instance is polling this token (Telegram answered 409 Conflict: terminated by other getUpdates request)";
            Log.PollingConflict(_logger, Id, snapshot.Conflicts);
            _services.Store.Record(new BotEvent { Time = _services.Time.GetUtcNow(), Kind = BotEventKinds.Health, BotId = Id, State = _state.ToName(), Message = message });
        }
        return Task.CompletedTask;
    }

    private async Task SpawnAsync(string reason)
    {
        Disarm();
        var spec = _spec;
        SetState(BotLifecycleState.Starting, reason);
        _failureCause = null;
        _watchdogOverride = null;

        var (cgroup, limits) = PrepareCgroup(spec);
        SpawnedProcess spawned;
        try
        {
            if (spec.Command.Count == 0) throw new SpawnException("cannot start the worker: the command is empty", 0);
            var account = WorkerAccount.For(spec);
            // Another user cannot reach the 0700 state directory's socket file; the abstract name needs no path.
            var notify = account is { IsOtherUser: true } ? _services.NotifyAbstractAddress ?? _services.NotifySocketPath : _services.NotifySocketPath;
            var env = WorkerEnvironment.Build(spec, _services.Environment(), _services.FleetTokens(), notify, _services.WorkerMark, account);
            spawned = ProcessSpawner.Spawn(new SpawnRequest(WorkerCommand.Argv(spec, cgroup?.ProcsFile, account), spec.WorkingDirectory, env), _services.Reaper,
                (exitedPid, status) => Post(new SupervisorSignal.ChildExited(exitedPid, status)));
        }
        catch (SpawnException ex)
        {
            Log.SpawnFailed(_logger, Id, ex.Message);
            Publish(s => s with { LastExit = ExitStatus.Exited(127), StoppedAt = _services.Time.GetUtcNow() });
            var decision = RestartDecision.Decide(spec, ExitStatus.Exited(127), TimeSpan.Zero, _consecutiveFailures, _services.Random());
            ApplyDecision(decision with { Reason = ex.Message + "; " + decision.Reason });
            return;
        }

        int pid = spawned.Pid;
        var now = _services.Time.GetUtcNow();
        var stat = ProcStat.Read(pid);
        var run = new WorkerRun
        {
            Pid = pid,
            StartTimestamp = _services.Time.GetTimestamp(),
            Record = new WorkerRecord(Id, pid, pid, stat?.StartTime ?? 0, now),
            Cgroup = cgroup,
            OomKillsAtStart = cgroup is { HasMemoryController: true } ? cgroup.OomKills : 0,
        };
        _worker = run;
        _killSent = false;
        _after = AfterGroupEnds.ApplyPolicy;

        _services.Reaper.WatchSession(pid, Id, _ => Post(new SupervisorSignal.DescendantReaped(pid)));
        _services.Notify?.Register(pid, m => Post(new SupervisorSignal.NotifyReceived(m)));
        Action<string> watch = line =>
        {
            if (PollingConflict.IsIn(line)) Post(new SupervisorSignal.ConflictDetected());
        };
        _services.Output.Add(spawned.StdoutFd, new OutputPump(LogStream.Stdout, _log, _services.Masker, _services.Time, watch));
        _services.Output.Add(spawned.StderrFd, new OutputPump(LogStream.Stderr, _log, _services.Masker, _services.Time, watch));
        Log.WorkerStarted(_logger, Id, pid, _services.Masker.MaskDefinition(string.Join(' ', spec.Command)));

        await _services.Store.SaveWorkerAsync(run.Record).ConfigureAwait(false);

        if (_everStarted) _restarts++;
        _everStarted = true;
        Func<BotSnapshot, BotSnapshot> started = s => s with
        {
            Pid = pid,
            StartedAt = now,
            StoppedAt = null,
            NextStartAt = null,
            MainPid = null,
            StatusText = null,
            Ready = spec.Ready == ReadyMode.Started,
            Checks = new Dictionary<string, CheckResult>(),
            Health = HealthVerdict.Unknown,
            Limits = limits,
        };
        if (spec.Ready == ReadyMode.Notify)
        {
            SetState(BotLifecycleState.Starting, $"worker started (pid {pid}); waiting for READY=1 within {DurationParser.Format(spec.StartTimeout)}", started);
            ArmDeadline(spec.StartTimeout);
            return;
        }
        SetState(BotLifecycleState.Running, $"worker started (pid {pid})", started);
        EnterRunning();
    }

    /// <summary>
    /// A bot with memory_max or cpu_max gets its own cgroup where the daemon has a cgroup tree: created
    /// on first use, emptied of anything an earlier worker left, limits written before the worker joins.
    /// </summary>
    private (Cgroups.BotCgroup? Cgroup, LimitEnforcement Limits) PrepareCgroup(BotSpec spec)
    {
        if (spec.MemoryMax is null && spec.CpuMax is null) return (null, LimitEnforcement.None);
        var (cgroup, limits, why) = TryCgroup(spec);
        if (limits.Cpu == LimitEnforcement.NotEnforced && _services.State.Get(Id)?.Limits.Cpu != LimitEnforcement.NotEnforced)
        {
            Log.CpuLimitNotEnforced(_logger, Id, why);
        }
        return (cgroup, limits);
    }

    private (Cgroups.BotCgroup? Cgroup, LimitEnforcement Limits, string Why) TryCgroup(BotSpec spec)
    {
        if (_services.Cgroups is not { } tree) return (null, LimitEnforcement.WithoutCgroup(spec.MemoryMax, spec.CpuMax), "the daemon has no cgroup tree");
        var cgroup = tree.ForBot(Id);
        try
        {
            cgroup.Create();
            if (cgroup.IsPopulated)
            {
                Log.CgroupLeftovers(_logger, Id, cgroup.Processes().Count, cgroup.Path);
                cgroup.Kill();
            }
            cgroup.ApplyLimits(spec.MemoryMax, spec.CpuMax);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.CgroupFailed(_logger, Id, cgroup.Path, ex.Message);
            return (null, LimitEnforcement.WithoutCgroup(spec.MemoryMax, spec.CpuMax), $"cgroup {cgroup.Path} could not be used");
        }
        var limits = new LimitEnforcement(
            spec.MemoryMax is null ? null : cgroup.HasMemoryController ? LimitEnforcement.Cgroup : LimitEnforcement.Watched,
            spec.CpuMax is null ? null : cgroup.HasCpuController ? LimitEnforcement.Cgroup : LimitEnforcement.NotEnforced,
            cgroup.Path);
        return (cgroup, limits, $"cgroup {cgroup.Path} has no cpu controller on this machine");
    }

    /// <summary>The worker is running and ready: start what watches it while it runs.</summary>
    private void EnterRunning()
    {
        SetCheck("process", true, $"running (pid {_worker!.Pid})");
        ArmTokenCheck();
        if (WatchdogInterval is { } w) ArmDeadline(w);
        ArmProbe(first: true);
    }

    private TimeSpan? WatchdogInterval => _watchdogOverride ?? _spec.Watchdog;

    /// <summary>Ends a worker for a fault Botvisor found (timeout, watchdog, probe, limit); the restart policy then applies.</summary>
    private Task FailWorker(string reason, string check)
    {
        SetCheck(check, false, reason);
        _failureCause = reason;
        _after = AfterGroupEnds.ApplyPolicy;
        BeginStop(reason);
        return Task.CompletedTask;
    }

    /// <summary>Asks the supervisor to end the worker for exceeding a resource limit (from the fleet-wide sampler).</summary>
    public void ReportResourceLimit(string reason) => Post(new SupervisorSignal.ResourceLimitExceeded(reason));

    private Task OnNotify(NotifyMessage message)
    {
        foreach (var (key, value) in message.Fields)
        {
            switch (key)
            {
                case "READY" when value == "1":
                    if (_state == BotLifecycleState.Starting)
                    {
                        Disarm();
                        SetCheck("notify", true, "READY=1");
                        SetState(BotLifecycleState.Running, $"ready (READY=1 from pid {message.SenderPid})", s => s with { Ready = true });
                        EnterRunning();
                    }
                    break;
                case "STATUS":
                    Publish(s => s with { StatusText = value });
                    break;
                case "WATCHDOG" when value == "1":
                    if (_state == BotLifecycleState.Running && WatchdogInterval is { } w)
                    {
                        ArmDeadline(w);
                        SetCheck("watchdog", true, "WATCHDOG=1");
                    }
                    break;
                case "WATCHDOG" when value == "trigger":
                    if (_state is BotLifecycleState.Running or BotLifecycleState.Starting) return FailWorker("watchdog triggered by the bot (WATCHDOG=trigger)", "watchdog");
                    break;
                case "WATCHDOG_USEC" when long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var usec) && usec > 0:
                    _watchdogOverride = TimeSpan.FromMicroseconds(usec);
                    if (_state == BotLifecycleState.Running) ArmDeadline(_watchdogOverride.Value);
                    break;
                case "EXTEND_TIMEOUT_USEC" when long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var extend):
                    if (_state == BotLifecycleState.Starting || (_state == BotLifecycleState.Stopping && !_killSent)) ArmDeadline(TimeSpan.FromMicroseconds(extend));
                    break;
                case "MAINPID" when int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var mainPid):
                    Publish(s => s with { MainPid = mainPid });
                    break;
                case "STOPPING" when value == "1":
                    Publish(s => s with { Ready = false });
                    break;
            }
        }
        return Task.CompletedTask;
    }

    // ---- HTTP liveness probe: one one-shot timer, re-armed after each probe, so probes never overlap ----

    private void ArmProbe(bool first)
    {
        _probeTimer?.Dispose();
        _probeTimer = null;
        long generation = first ? ++_probeGeneration : _probeGeneration;
        if (first) _probeFailures = 0;
        if (_spec.HttpProbe is not { } probe || _services.HttpProbe is null) return;
        var due = first && probe.InitialDelay > TimeSpan.Zero ? probe.InitialDelay : probe.Interval;
        _probeTimer = _services.Time.CreateTimer(static state =>
        {
            var (self, gen) = ((BotSupervisor, long))state!;
            self.Post(new SupervisorSignal.ProbeDue(gen));
        }, (this, generation), due, Timeout.InfiniteTimeSpan);
    }

    private Task StartProbe()
    {
        var probe = _spec.HttpProbe!;
        var client = _services.HttpProbe!;
        long generation = _probeGeneration;
        RunAside(() => client.ProbeAsync(probe.Url, probe.Timeout, CancellationToken.None), ex => new ProbeResult(false, ex.Message),
            result => new SupervisorSignal.ProbeCompleted(generation, result));
        return Task.CompletedTask;
    }

    private Task OnProbe(ProbeResult result)
    {
        var probe = _spec.HttpProbe!;
        if (result.Success)
        {
            _probeFailures = 0;
            SetCheck("http", true, result.Message);
        }
        else
        {
            _probeFailures++;
            SetCheck("http", false, $"{result.Message} ({_probeFailures} of {probe.Failures})");
            if (_probeFailures >= probe.Failures)
            {
                return FailWorker($"liveness probe {probe.Url} failed {_probeFailures} times: {result.Message}", "http");
            }
        }
        ArmProbe(first: false);
        return Task.CompletedTask;
    }

    // ---- health verdict ------------------------------------------------------------------------

    private void SetCheck(string name, bool healthy, string message)
    {
        var before = _services.State.Get(Id)?.Health ?? HealthVerdict.Unknown;
        var now = _services.Time.GetUtcNow();
        var after = Publish(s =>
        {
            var checks = new Dictionary<string, CheckResult>(s.Checks) { [name] = new CheckResult(healthy, message, now) };
            return s with { Checks = checks, Health = Verdict(checks) };
        });
        if (after.Health != before)
        {
            var reason = $"health {before.ToString().ToLowerInvariant()} -> {after.Health.ToString().ToLowerInvariant()} ({name}: {message})";
            Log.HealthChanged(_logger, Id, reason);
            _services.Store.Record(new BotEvent { Time = now, Kind = BotEventKinds.Health, BotId = Id, State = _state.ToName(), Message = reason });
        }
    }

    private static HealthVerdict Verdict(IReadOnlyDictionary<string, CheckResult> checks) =>
        checks.Count == 0 ? HealthVerdict.Unknown
        : checks.Values.Any(c => !c.Healthy) ? HealthVerdict.Unhealthy
        : HealthVerdict.Healthy;

    // ---- stopping ------------------------------------------------------------------------------

    private async Task RestartAsync(string reason)
    {
        switch (_state)
        {
            case BotLifecycleState.Running or BotLifecycleState.Starting when _worker is not null:
                _after = AfterGroupEnds.Start;
                BeginStop(reason);
                break;
            case BotLifecycleState.Stopping:
                _after = AfterGroupEnds.Start;
                break;
            default:
                await StartOrWaitAsync(reason).ConfigureAwait(false);
                break;
        }
    }

    private Task StopAsync(AfterGroupEnds after, string reason)
    {
        switch (_state)
        {
            case BotLifecycleState.Running or BotLifecycleState.Starting when _worker is not null:
                _after = after;
                BeginStop(reason);
                break;
            case BotLifecycleState.Stopping:
                _after = after;
                _stopReason = reason;
                _failureCause = null;
                break;
            default:
                Disarm();
                _preflightGeneration++; // a token check in flight no longer starts anything
                _dependencyWait?.Cancel();
                if (!_state.IsTerminal() || after == AfterGroupEnds.Exit)
                {
                    SetState(_state == BotLifecycleState.Failed ? BotLifecycleState.Failed : BotLifecycleState.Stopped, reason, s => s with { NextStartAt = null });
                }
                if (after == AfterGroupEnds.Exit) _exit = true;
                break;
        }
        return Task.CompletedTask;
    }

    private void BeginStop(string reason)
    {
        _stopReason = reason;
        SetState(BotLifecycleState.Stopping, reason);
        SendStopSignal(_worker!);
    }

    /// <summary>Sends stop_signal (SIGKILL after stop_timeout, see <see cref="OnStopDeadlineAsync"/>).</summary>
    private void SendStopSignal(WorkerRun w)
    {
        long now = _services.Time.GetTimestamp();
        _stopStarted = now;
        _killSent = _spec.StopSignal == Signals.SIGKILL;
        _killedAt = now;
        if (_killSent) KillWorker(w);
        else SignalWorker(w, _spec.StopSignal);
        ArmStopDeadline(w);
    }

    /// <summary>Signals the worker's process group, and in its cgroup whatever has left that group.</summary>
    private void SignalWorker(WorkerRun w, int signal)
    {
        if (ProcessGroup.Signal(w.Pid, signal))
        {
            Log.GroupSignalled(_logger, Id, Signals.Name(signal), w.Pid);
            // A stopped (SIGSTOP) process would never see the signal; wake it as s6 does.
            if (signal != Signals.SIGCONT) ProcessGroup.Signal(w.Pid, Signals.SIGCONT);
        }
        if (w.Cgroup?.SignalOutside(w.Pid, signal) is > 0 and var outside)
        {
            Log.CgroupOutsidersSignalled(_logger, Id, Signals.Name(signal), outside);
        }
    }

    private static void KillWorker(WorkerRun w)
    {
        ProcessGroup.Signal(w.Pid, Signals.SIGKILL);
        w.Cgroup?.Kill();
    }

    /// <summary>Whether anything of the worker is left: its process group, or anything in its cgroup.</summary>
    private static bool IsGroupAlive(WorkerRun w) => ProcessGroup.IsAlive(w.Pid) || w.Cgroup?.IsPopulated == true;

    /// <summary>
    /// The stop deadline: SIGKILL at stop_timeout, then a look every <see cref="LingerCheck"/>. Members of
    /// the process group wake the loop when they are reaped; processes that left the group for a session
    /// of their own do not, so while the worker has a cgroup, it is looked at every <see cref="CgroupPoll"/>.
    /// </summary>
    private void ArmStopDeadline(WorkerRun w)
    {
        var next = _killSent
            ? LingerCheck - _services.Time.GetElapsedTime(_killedAt)
            : _spec.StopTimeout - _services.Time.GetElapsedTime(_stopStarted);
        if (w.Cgroup is not null && next > CgroupPoll) next = CgroupPoll;
        ArmDeadline(next > TimeSpan.Zero ? next : TimeSpan.Zero);
    }

    private Task OnUnexpectedExitAsync(ExitStatus status)
    {
        var w = _worker!;
        w.Exit = status;
        var uptime = _services.Time.GetElapsedTime(w.StartTimestamp);
        Log.WorkerExited(_logger, Id, w.Pid, status.ToString(), DurationParser.Format(uptime));
        Publish(s => s with { LastExit = status, StoppedAt = _services.Time.GetUtcNow() });
        SetCheck("process", status.IsSuccess, "worker " + status);
        _after = AfterGroupEnds.ApplyPolicy;
        if (w.Cgroup is { HasMemoryController: true } cgroup && _spec.MemoryMax is { } max && cgroup.OomKills > w.OomKillsAtStart)
        {
            _failureCause = $"memory limit {ResourceSampler.Mib(max)} exceeded (the kernel's OOM killer ended the bot in its cgroup {cgroup.Path})";
            Log.MemoryLimitReached(_logger, Id, _failureCause);
            SetCheck("memory", false, _failureCause);
        }

        if (!IsGroupAlive(w)) return OnGroupEndedAsync();

        // Whatever the worker left behind in its group (or its cgroup) is ended before any restart.
        _stopReason = $"worker {status}; ending what is left of its process group";
        SetState(BotLifecycleState.Stopping, _stopReason);
        SendStopSignal(w);
        return Task.CompletedTask;
    }

    private Task OnExitWhileStoppingAsync(ExitStatus status)
    {
        var w = _worker!;
        w.Exit = status;
        var uptime = _services.Time.GetElapsedTime(w.StartTimestamp);
        Log.WorkerExited(_logger, Id, w.Pid, status.ToString(), DurationParser.Format(uptime));
        Publish(s => s with { LastExit = status, StoppedAt = _services.Time.GetUtcNow() });
        return CheckGroupEndedAsync();
    }

    private Task CheckGroupEndedAsync()
    {
        if (_worker is { Exit: not null } w && !IsGroupAlive(w)) return OnGroupEndedAsync();
        return Task.CompletedTask;
    }

    private Task OnStopDeadlineAsync()
    {
        var w = _worker!;
        if (w.Exit is not null && !IsGroupAlive(w)) return OnGroupEndedAsync();
        if (!_killSent && _services.Time.GetElapsedTime(_stopStarted) >= _spec.StopTimeout)
        {
            _killSent = true;
            _killedAt = _services.Time.GetTimestamp();
            Log.GroupKilled(_logger, Id, w.Pid, DurationParser.Format(_spec.StopTimeout));
            KillWorker(w);
        }
        else if (_killSent && _services.Time.GetElapsedTime(_killedAt) >= LingerCheck)
        {
            _killedAt = _services.Time.GetTimestamp();
            Log.GroupLingering(_logger, Id, w.Pid);
            KillWorker(w);
        }
        ArmStopDeadline(w);
        return Task.CompletedTask;
    }

    private async Task OnGroupEndedAsync()
    {
        var w = _worker!;
        _worker = null;
        Disarm();
        _tokenCheck?.Dispose();
        _tokenCheck = null;
        _tokenCheckGeneration++;
        _probeTimer?.Dispose();
        _probeTimer = null;
        _probeGeneration++;
        _services.Notify?.Unregister(w.Pid);
        _services.Reaper.UnwatchSession(w.Pid);
        // Not awaited: a record that outlives its worker is harmless (the next daemon checks pid and start
        // time before it touches anything), and the restart should not wait for the disk.
        _ = _services.Store.DeleteWorkerAsync(w.Record);
        var exit = w.Exit ?? ExitStatus.Killed(Signals.SIGKILL);
        var uptime = _services.Time.GetElapsedTime(w.StartTimestamp);

        switch (_after)
        {
            case AfterGroupEnds.ApplyPolicy:
                var decision = RestartDecision.Decide(_spec, exit, uptime, _consecutiveFailures, _services.Random(), forcedFailure: _failureCause is not null);
                ApplyDecision(_failureCause is { } cause ? decision with { Reason = cause + "; " + decision.Reason } : decision);
                break;
            case AfterGroupEnds.Stop:
                SetState(BotLifecycleState.Stopped, $"{_stopReason}; worker {exit}", s => s with { Pid = null });
                break;
            case AfterGroupEnds.Start:
                await StartOrWaitAsync($"{_stopReason}; starting a new worker").ConfigureAwait(false);
                break;
            case AfterGroupEnds.Exit:
                SetState(BotLifecycleState.Stopped, $"{_stopReason}; worker {exit}", s => s with { Pid = null });
                _exit = true;
                break;
            case AfterGroupEnds.Fail:
                SetState(BotLifecycleState.Failed, _failReason, s => s with { Pid = null });
                break;
        }
    }

    private void ApplyDecision(RestartDecision decision)
    {
        _consecutiveFailures = decision.ConsecutiveFailures;
        switch (decision.Action)
        {
            case RestartAction.Restart:
                var at = _services.Time.GetUtcNow() + decision.Delay;
                SetState(BotLifecycleState.Backoff, decision.Reason, s => s with { Pid = null, NextStartAt = at });
                ArmDeadline(decision.Delay);
                break;
            case RestartAction.Stop:
                SetState(BotLifecycleState.Stopped, decision.Reason, s => s with { Pid = null });
                break;
            default:
                SetState(BotLifecycleState.Failed, decision.Reason, s => s with { Pid = null });
                break;
        }
    }

    private bool IsCurrent(int pid) => _worker?.Pid == pid;

    // ---- the one deadline ------------------------------------------------------------------------

    private void ArmDeadline(TimeSpan after)
    {
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

    // ---- publishing ----------------------------------------------------------------------------

    private void SetState(BotLifecycleState state, string reason, Func<BotSnapshot, BotSnapshot>? more = null)
    {
        _state = state;
        var snapshot = Publish(s =>
        {
            var next = s with { State = state, Reason = reason, Restarts = _restarts, ConsecutiveFailures = _consecutiveFailures };
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
        });

        for (int i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].Done(state))
            {
                _waiters[i].Tcs.TrySetResult(snapshot);
                _waiters.RemoveAt(i);
            }
        }
    }

    private BotSnapshot Publish(Func<BotSnapshot, BotSnapshot> update) => _services.State.Publish(Id, update);

    private void AddWaiter(Func<BotLifecycleState, bool> done, TaskCompletionSource<BotSnapshot> tcs, bool immediate)
    {
        if (immediate) tcs.TrySetResult(_services.State.Get(Id)!);
        else _waiters.Add((done, tcs));
    }
}
