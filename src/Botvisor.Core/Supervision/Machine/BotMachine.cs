using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;
using Botvisor.Core.State;

namespace Botvisor.Core.Supervision.Machine;

/// <summary>The machine's whole state for one bot: immutable, replaced by every step.</summary>
public sealed record BotMachineState
{
    public required BotSpec Spec { get; init; }
    public Wish Wish { get; init; } = Wish.Stop;
    public BotPhase Phase { get; init; } = BotPhase.Pending.Instance;

    /// <summary>Restarts without a run of min_uptime; compared with max_restarts.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>New workers after the first, since the supervisor began.</summary>
    public int Restarts { get; init; }

    public bool EverStarted { get; init; }

    /// <summary>Retries the start gates asked for since the last start command (their own backoff).</summary>
    public int GateAttempts { get; init; }

    public BotLifecycleState State => Phase.State;

    public static BotMachineState Initial(BotSpec spec) => new() { Spec = spec };
}

/// <summary>When a step happens: the monotonic time (for durations), the wall clock (for the times people see) and a random sample (for jitter).</summary>
public readonly record struct MachineTime(TimeSpan Now, DateTimeOffset Utc, double Random);

/// <summary>
/// The lifecycle of one bot as a pure function: (state, signal, time) → (state, effects). No I/O, no
/// clock, no tasks: time and observations come in with the signal, and what should happen goes out as
/// <see cref="MachineEffect"/>s for <see cref="BotSupervisor"/> to carry out. Every (phase, signal) pair
/// is one row of <see cref="Step"/>; what happens when a worker's group has ended is decided by the
/// <see cref="StopCause"/> its Stopping phase carries and by the <see cref="Wish"/>, never by a flag set elsewhere.
/// </summary>
public static class BotMachine
{
    /// <summary>While stopping after SIGKILL, how often a group that outlives it is killed again.</summary>
    public static readonly TimeSpan LingerCheck = TimeSpan.FromSeconds(5);

    /// <summary>How often a cgroup is looked at while processes that left the worker's process group may still be in it.</summary>
    public static readonly TimeSpan CgroupPoll = TimeSpan.FromMilliseconds(100);

    public static (BotMachineState State, IReadOnlyList<MachineEffect> Effects) Step(BotMachineState state, MachineSignal signal, MachineTime time)
    {
        var t = new Transition(state, time);
        t.Apply(signal);
        return (t.State, t.Effects);
    }

    /// <summary>One step: the current state, the effects so far, and the rows.</summary>
    private sealed class Transition(BotMachineState state, MachineTime time)
    {
        public BotMachineState State { get; private set; } = state;
        public List<MachineEffect> Effects { get; } = [];

        private BotSpec Spec => State.Spec;
        private BotPhase Phase => State.Phase;

        // ---- the table ---------------------------------------------------------------------------

        public void Apply(MachineSignal signal)
        {
            switch (Phase, signal)
            {
                // Commands: the wish changes; the phase follows.
                case (_, MachineSignal.Start s): OnStart(s.Reason); break;
                case (_, MachineSignal.Stop s): OnStop(s.Reason); break;
                case (_, MachineSignal.Restart s): OnRestart(s.Reason); break;
                case (_, MachineSignal.Update u): OnUpdate(u.Spec, u.Reason); break;
                case (_, MachineSignal.Remove r): OnRemove(r.Reason); break;

                // Start gates.
                case (BotPhase.Gating g, MachineSignal.GateAnswered { Verdict: GateVerdict.Open open }): Spawn(open.Reason ?? g.Reason, open.Shows); break;
                case (BotPhase.Waiting w, MachineSignal.GateAnswered { Verdict: GateVerdict.Open open }): Spawn(open.Reason ?? w.Reason, open.Shows); break;
                case (BotPhase.Gating g, MachineSignal.GateAnswered { Verdict: GateVerdict.Checking c }): SetState(g, $"{g.Reason}; {c.What}"); break;
                case (BotPhase.Waiting w, MachineSignal.GateAnswered { Verdict: GateVerdict.Checking c }): SetState(new BotPhase.Gating(w.Reason), c.What); break;
                case (BotPhase.Gating or BotPhase.Waiting, MachineSignal.GateAnswered { Verdict: GateVerdict.Wait wait }): WaitForGate(wait); break;
                case (BotPhase.Gating or BotPhase.Waiting, MachineSignal.GateAnswered { Verdict: GateVerdict.Refuse refuse }): Fail(refuse.Reason); break;
                case (BotPhase.Waiting { Retry: true }, MachineSignal.DeadlineReached): RunGates("trying again"); break;
                case (BotPhase.Spawned or BotPhase.Up, MachineSignal.GateClosed g): BeginStop(StopCause.Requested, g.Reason); break;

                // Spawning.
                case (BotPhase.Gating, MachineSignal.Spawned s): OnSpawned(s); break;
                case (BotPhase.Gating, MachineSignal.SpawnFailed f): OnSpawnFailed(f.Message); break;

                // Readiness and the watchdog (sd_notify).
                case (BotPhase.Spawned p, MachineSignal.Ready r): OnReady(p.Run, r.SenderPid); break;
                case (BotPhase.Spawned, MachineSignal.DeadlineReached): Fault("notify", $"start timeout: no READY=1 within {DurationParser.Format(Spec.StartTimeout)}"); break;
                case (BotPhase.Up p, MachineSignal.WatchdogKicked) when Watchdog(p.Run) is { } every: Arm(every); Check("watchdog", true, "WATCHDOG=1"); break;
                case (BotPhase.Up p, MachineSignal.DeadlineReached) when Watchdog(p.Run) is { } every: Fault("watchdog", $"watchdog timeout: no WATCHDOG=1 within {DurationParser.Format(every)}"); break;
                case (BotPhase.Spawned or BotPhase.Up, MachineSignal.WatchdogChanged w): OnWatchdogChanged(w.Interval); break;
                case (BotPhase.Spawned, MachineSignal.TimeoutExtended e): Arm(e.By); break;
                case (BotPhase.Stopping { KillSent: false }, MachineSignal.TimeoutExtended e): Arm(e.By); break;

                // Faults found from outside.
                case (BotPhase.Spawned or BotPhase.Up, MachineSignal.Fault f): Fault(f.Check, f.Reason); break;
                case (BotPhase.Spawned or BotPhase.Up, MachineSignal.TokenRejected r): BeginStop(StopCause.Refused, r.Reason, r.FailReason); break;

                // The worker's end.
                case (BotPhase.Spawned or BotPhase.Up, MachineSignal.ChildExited e): OnCrash(e); break;
                case (BotPhase.Stopping s, MachineSignal.ChildExited e): OnExitWhileStopping(s, e); break;
                case (BotPhase.Stopping { Run.Exit: not null } s, MachineSignal.GroupChecked { GroupAlive: false }): OnGroupEnded(s); break;
                case (BotPhase.Stopping { Run.Exit: not null } s, MachineSignal.DeadlineReached { GroupAlive: false }): OnGroupEnded(s); break;
                case (BotPhase.Stopping s, MachineSignal.DeadlineReached): OnStopDeadline(s); break;

                // Backoff.
                case (BotPhase.Backoff, MachineSignal.DeadlineReached): RunGates($"restarting after backoff (restart {State.ConsecutiveFailures} of {Spec.MaxRestarts})"); break;

                // Anything else changes nothing (a late answer, a signal for a phase that has passed).
                default: break;
            }
        }

        // ---- commands ----------------------------------------------------------------------------

        private void OnStart(string reason)
        {
            if (State.Wish == Wish.Exit) return;
            State = State with { Wish = Wish.Run };
            switch (Phase)
            {
                case BotPhase.Pending or BotPhase.Stopped or BotPhase.Failed or BotPhase.Backoff or BotPhase.Waiting:
                    State = State with { ConsecutiveFailures = 0, GateAttempts = 0 };
                    RunGates(reason);
                    break;
                case BotPhase.Stopping s:
                    Become(s with { Cause = StopCause.Requested });
                    break;
            }
        }

        private void OnStop(string reason)
        {
            if (State.Wish == Wish.Exit) return;
            State = State with { Wish = Wish.Stop };
            switch (Phase)
            {
                case BotPhase.Spawned or BotPhase.Up:
                    BeginStop(StopCause.Requested, reason);
                    break;
                case BotPhase.Stopping s:
                    Become(s with { Cause = StopCause.Requested, Reason = reason, Run = s.Run with { FailureCause = null } });
                    break;
                case BotPhase.Gating or BotPhase.Waiting or BotPhase.Backoff or BotPhase.Pending:
                    Emit(new MachineEffect.Disarm());
                    Emit(new MachineEffect.CancelGates());
                    SetState(BotPhase.Stopped.Instance, reason, s => s with { NextStartAt = null });
                    break;
            }
        }

        private void OnRestart(string reason)
        {
            if (State.Wish == Wish.Exit) return;
            State = State with { Wish = Wish.Run, ConsecutiveFailures = 0 };
            switch (Phase)
            {
                case BotPhase.Spawned or BotPhase.Up:
                    BeginStop(StopCause.Requested, reason);
                    break;
                case BotPhase.Stopping s:
                    Become(s with { Cause = StopCause.Requested });
                    break;
                default:
                    State = State with { GateAttempts = 0 };
                    RunGates(reason);
                    break;
            }
        }

        private void OnUpdate(BotSpec spec, string reason)
        {
            bool changed = !spec.Equals(Spec);
            State = State with { Spec = spec };
            Emit(new MachineEffect.ApplySpec(spec));
            if (!changed) return;
            switch (Phase)
            {
                case BotPhase.Spawned or BotPhase.Up:
                    State = State with { ConsecutiveFailures = 0 };
                    BeginStop(StopCause.Requested, reason);
                    break;
                case BotPhase.Stopping s when State.Wish == Wish.Run:
                    // A new definition for a bot that should run: once this worker is gone, the new one starts
                    // (even if the stop was for a crash or a rejected token the new definition may fix).
                    State = State with { ConsecutiveFailures = 0 };
                    Become(s with { Cause = StopCause.Requested });
                    break;
                case BotPhase.Gating or BotPhase.Waiting:
                    // A start in progress asks its gates again with the new definition (its depends_on may have changed).
                    State = State with { ConsecutiveFailures = 0, GateAttempts = 0 };
                    Emit(new MachineEffect.CancelGates());
                    RunGates(reason);
                    break;
                case BotPhase.Failed when State.Wish == Wish.Run:
                    // A failed bot stays failed (a reload or a source's fetch does not revive it) until its
                    // definition changes: the new one (a fixed token, command…) gets a start with a fresh budget.
                    State = State with { ConsecutiveFailures = 0, GateAttempts = 0 };
                    RunGates(reason);
                    break;
            }
        }

        private void OnRemove(string reason)
        {
            State = State with { Wish = Wish.Exit };
            switch (Phase)
            {
                case BotPhase.Spawned or BotPhase.Up:
                    BeginStop(StopCause.Requested, reason);
                    break;
                case BotPhase.Stopping s:
                    Become(s with { Cause = StopCause.Requested, Reason = reason });
                    break;
                default:
                    Emit(new MachineEffect.Disarm());
                    Emit(new MachineEffect.CancelGates());
                    SetState(Phase is BotPhase.Failed ? BotPhase.Failed.Instance : BotPhase.Stopped.Instance, reason, s => s with { NextStartAt = null });
                    Emit(new MachineEffect.Exit());
                    break;
            }
        }

        // ---- starting ----------------------------------------------------------------------------

        /// <summary>
        /// Asks the start gates whether a worker may start. Nothing is published yet: gates that need no
        /// I/O answer in the same step (the restart path), and the answer says what the bot shows.
        /// </summary>
        private void RunGates(string reason)
        {
            Emit(new MachineEffect.Disarm());
            Become(new BotPhase.Gating(reason));
            Emit(new MachineEffect.RunGates(State.GateAttempts));
        }

        private void WaitForGate(GateVerdict.Wait wait)
        {
            if (wait.RetryIn is { } retry)
            {
                State = State with { GateAttempts = State.GateAttempts + 1 };
                var at = time.Utc + retry;
                SetState(new BotPhase.Waiting(wait.Reason, Retry: true), wait.Reason, s => s with { NextStartAt = at });
                Arm(retry);
            }
            else
            {
                SetState(new BotPhase.Waiting(wait.Reason, Retry: false), wait.Reason);
            }
        }

        private void Spawn(string reason, Func<BotSnapshot, BotSnapshot>? shows)
        {
            // The spawn is the last effect of a step: its answer (Spawned or SpawnFailed) is the next step.
            Emit(new MachineEffect.Disarm());
            if (shows is not null) Emit(new MachineEffect.Publish(shows));
            SetState(new BotPhase.Gating(reason), reason);
            Emit(new MachineEffect.Spawn(reason));
        }

        private void OnSpawned(MachineSignal.Spawned spawned)
        {
            var run = new Worker { Pid = spawned.Pid, StartedAt = time.Now, HasCgroup = spawned.HasCgroup };
            State = State with { Restarts = State.EverStarted ? State.Restarts + 1 : State.Restarts, EverStarted = true, GateAttempts = 0 };
            var utc = time.Utc;
            bool readyAtOnce = Spec.Ready == ReadyMode.Started;
            Func<BotSnapshot, BotSnapshot> started = s => s with
            {
                Pid = spawned.Pid,
                StartedAt = utc,
                StoppedAt = null,
                NextStartAt = null,
                MainPid = null,
                StatusText = null,
                Ready = readyAtOnce,
                Checks = new Dictionary<string, Health.CheckResult>(),
                Health = HealthVerdict.Unknown,
            };
            if (!readyAtOnce)
            {
                SetState(new BotPhase.Spawned(run), $"worker started (pid {spawned.Pid}); waiting for READY=1 within {DurationParser.Format(Spec.StartTimeout)}", started);
                Arm(Spec.StartTimeout);
                return;
            }
            SetState(new BotPhase.Up(run), $"worker started (pid {spawned.Pid})", started);
            EnterUp(run);
        }

        private void OnSpawnFailed(string message)
        {
            var exit = ExitStatus.Exited(127);
            var utc = time.Utc;
            Emit(new MachineEffect.Publish(s => s with { LastExit = exit, StoppedAt = utc }));
            var decision = RestartDecision.Decide(Spec, exit, TimeSpan.Zero, State.ConsecutiveFailures, time.Random);
            ApplyDecision(decision with { Reason = message + "; " + decision.Reason });
        }

        private void OnReady(Worker run, int senderPid)
        {
            Emit(new MachineEffect.Disarm());
            Check("notify", true, "READY=1");
            SetState(new BotPhase.Up(run), $"ready (READY=1 from pid {senderPid})", s => s with { Ready = true });
            EnterUp(run);
        }

        /// <summary>The worker is up: what watches it from outside starts, and its watchdog if it has one.</summary>
        private void EnterUp(Worker run)
        {
            Check("process", true, $"running (pid {run.Pid})");
            Emit(new MachineEffect.StartMonitors());
            if (Watchdog(run) is { } every) Arm(every);
        }

        private void OnWatchdogChanged(TimeSpan interval)
        {
            switch (Phase)
            {
                case BotPhase.Spawned s: Become(s with { Run = s.Run with { WatchdogOverride = interval } }); break;
                case BotPhase.Up u:
                    Become(u with { Run = u.Run with { WatchdogOverride = interval } });
                    Arm(interval);
                    break;
            }
        }

        private TimeSpan? Watchdog(Worker run) => run.WatchdogOverride ?? Spec.Watchdog;

        // ---- stopping ----------------------------------------------------------------------------

        /// <summary>Ends a worker for a fault Botvisor found; the restart policy then applies.</summary>
        private void Fault(string check, string reason)
        {
            Check(check, false, reason);
            var run = Phase.Worker! with { FailureCause = reason };
            Become(Phase switch
            {
                BotPhase.Spawned s => s with { Run = run },
                BotPhase.Up u => u with { Run = run },
                _ => Phase,
            });
            BeginStop(StopCause.Crashed, reason);
        }

        private void BeginStop(StopCause cause, string reason, string? refusedReason = null)
        {
            var run = Phase.Worker!;
            SendStop(new BotPhase.Stopping(run, cause, reason, time.Now, KillSent: false, KilledAt: time.Now, refusedReason), publish: true);
        }

        /// <summary>stop_signal to the group (SIGKILL after stop_timeout, see <see cref="OnStopDeadline"/>).</summary>
        private void SendStop(BotPhase.Stopping stopping, bool publish)
        {
            bool kill = Spec.StopSignal == Signals.SIGKILL;
            stopping = stopping with { SignalledAt = time.Now, KillSent = kill, KilledAt = time.Now };
            if (publish) SetState(stopping, stopping.Reason);
            else Become(stopping);
            Emit(kill ? new MachineEffect.KillGroup() : new MachineEffect.SignalGroup(Spec.StopSignal));
            ArmStopDeadline(stopping);
        }

        private void ArmStopDeadline(BotPhase.Stopping s)
        {
            var next = s.KillSent ? LingerCheck - (time.Now - s.KilledAt) : Spec.StopTimeout - (time.Now - s.SignalledAt);
            if (s.Run.HasCgroup && next > CgroupPoll) next = CgroupPoll;
            Arm(next > TimeSpan.Zero ? next : TimeSpan.Zero);
        }

        private void OnStopDeadline(BotPhase.Stopping s)
        {
            if (!s.KillSent && time.Now - s.SignalledAt >= Spec.StopTimeout)
            {
                s = s with { KillSent = true, KilledAt = time.Now };
                Become(s);
                Emit(new MachineEffect.LogKilled(s.Run.Pid, Spec.StopTimeout));
                Emit(new MachineEffect.KillGroup());
            }
            else if (s.KillSent && time.Now - s.KilledAt >= LingerCheck)
            {
                s = s with { KilledAt = time.Now };
                Become(s);
                Emit(new MachineEffect.LogLingering(s.Run.Pid));
                Emit(new MachineEffect.KillGroup());
            }
            ArmStopDeadline(s);
        }

        /// <summary>The main process died on its own: whatever is left of its group is ended before anything else.</summary>
        private void OnCrash(MachineSignal.ChildExited e)
        {
            var run = Exited(Phase.Worker!, e.Status);
            if (e.OomCause is { } oom)
            {
                run = run with { FailureCause = oom };
                Emit(new MachineEffect.LogMemoryLimit(oom));
                Check("memory", false, oom);
            }
            var stopping = new BotPhase.Stopping(run, StopCause.Crashed, $"worker {e.Status}; ending what is left of its process group", time.Now, false, time.Now);
            if (!e.GroupAlive)
            {
                Become(stopping);
                OnGroupEnded(stopping);
                return;
            }
            SendStop(stopping, publish: true);
        }

        private void OnExitWhileStopping(BotPhase.Stopping s, MachineSignal.ChildExited e)
        {
            s = s with { Run = Exited(s.Run, e.Status) };
            Become(s);
            if (!e.GroupAlive) OnGroupEnded(s);
        }

        /// <summary>Records the main process's end: logged, shown as the last exit, the process check's result.</summary>
        private Worker Exited(Worker run, ExitStatus status)
        {
            var utc = time.Utc;
            Emit(new MachineEffect.LogExited(run.Pid, status, time.Now - run.StartedAt));
            Emit(new MachineEffect.Publish(s => s with { LastExit = status, StoppedAt = utc }));
            if (Phase is not BotPhase.Stopping) Check("process", status.IsSuccess, "worker " + status);
            return run with { Exit = status };
        }

        /// <summary>Nothing of the worker is left: what happens now is the stop's cause and the wish.</summary>
        private void OnGroupEnded(BotPhase.Stopping s)
        {
            var run = s.Run;
            Emit(new MachineEffect.Disarm());
            Emit(new MachineEffect.StopMonitors());
            Emit(new MachineEffect.ReleaseWorker(run.Pid));
            Emit(new MachineEffect.Publish(x => x with { Pid = null })); // whatever comes next shows no worker (waiting for a dependency, say)
            var exit = run.Exit ?? ExitStatus.Killed(Signals.SIGKILL);
            var uptime = time.Now - run.StartedAt;

            switch (s.Cause)
            {
                case StopCause.Crashed:
                    var decision = RestartDecision.Decide(Spec, exit, uptime, State.ConsecutiveFailures, time.Random, forcedFailure: run.FailureCause is not null);
                    ApplyDecision(run.FailureCause is { } cause ? decision with { Reason = cause + "; " + decision.Reason } : decision);
                    break;
                case StopCause.Refused:
                    SetState(BotPhase.Failed.Instance, s.RefusedReason ?? s.Reason, x => x with { Pid = null });
                    break;
                case StopCause.Requested when State.Wish == Wish.Run:
                    RunGates($"{s.Reason}; starting a new worker");
                    break;
                default:
                    SetState(BotPhase.Stopped.Instance, $"{s.Reason}; worker {exit}", x => x with { Pid = null });
                    if (State.Wish == Wish.Exit) Emit(new MachineEffect.Exit());
                    break;
            }
        }

        private void ApplyDecision(RestartDecision decision)
        {
            State = State with { ConsecutiveFailures = decision.ConsecutiveFailures };
            switch (decision.Action)
            {
                case RestartAction.Restart:
                    var at = time.Utc + decision.Delay;
                    SetState(new BotPhase.Backoff(), decision.Reason, s => s with { Pid = null, NextStartAt = at });
                    Arm(decision.Delay);
                    break;
                case RestartAction.Stop:
                    SetState(BotPhase.Stopped.Instance, decision.Reason, s => s with { Pid = null });
                    break;
                default:
                    SetState(BotPhase.Failed.Instance, decision.Reason, s => s with { Pid = null });
                    break;
            }
        }

        private void Fail(string reason)
        {
            Emit(new MachineEffect.Disarm());
            SetState(BotPhase.Failed.Instance, reason, s => s with { Pid = null, NextStartAt = null });
        }

        // ---- effects -------------------------------------------------------------------------------

        private void Become(BotPhase phase) => State = State with { Phase = phase };

        private void SetState(BotPhase phase, string reason, Func<BotSnapshot, BotSnapshot>? more = null)
        {
            Become(phase);
            Emit(new MachineEffect.SetState(phase.State, reason, more));
        }

        private void Check(string name, bool healthy, string message) => Emit(new MachineEffect.SetCheck(name, healthy, message));

        private void Arm(TimeSpan after) => Emit(new MachineEffect.ArmDeadline(after));

        private void Emit(MachineEffect effect) => Effects.Add(effect);
    }
}
