using Botvisor.Core.State;

namespace Botvisor.Core.Supervision.Machine;

/// <summary>What the bot's owner wants of it, kept apart from where it is (as s6's <c>flagwantup</c>).</summary>
public enum Wish
{
    /// <summary>Not asked to run (never started, or stopped).</summary>
    Stop,

    /// <summary>Keep a worker running.</summary>
    Run,

    /// <summary>End the worker and the supervisor (bot removed, daemon stopping).</summary>
    Exit,
}

/// <summary>Why a worker is being stopped: this decides what happens once its whole group has ended.</summary>
public enum StopCause
{
    /// <summary>A command or a changed definition: then follow the <see cref="Wish"/>.</summary>
    Requested,

    /// <summary>The worker died, or Botvisor found a fault: then apply the restart policy.</summary>
    Crashed,

    /// <summary>It must not run (its token was rejected): then Failed.</summary>
    Refused,
}

/// <summary>A worker the machine knows of: the facts the machine's decisions need, no handles.</summary>
public sealed record Worker
{
    public required int Pid { get; init; }

    /// <summary>When it was spawned, on the machine's monotonic clock.</summary>
    public required TimeSpan StartedAt { get; init; }

    /// <summary>Whether it has a cgroup (processes outside its group are then looked for while stopping).</summary>
    public bool HasCgroup { get; init; }

    /// <summary>How its main process ended, once it has.</summary>
    public ExitStatus? Exit { get; init; }

    /// <summary>A fault Botvisor found (watchdog, probe, memory): the run counts as failed whatever its exit code.</summary>
    public string? FailureCause { get; init; }

    /// <summary>WATCHDOG_USEC sent by the bot, replacing the configured watchdog.</summary>
    public TimeSpan? WatchdogOverride { get; init; }
}

/// <summary>Where the bot is. Each phase knows the public <see cref="BotLifecycleState"/> it shows as.</summary>
public abstract record BotPhase
{
    public abstract BotLifecycleState State { get; }

    /// <summary>The worker of this phase, if it has one.</summary>
    public virtual Worker? Worker => null;

    /// <summary>Defined, never asked to run.</summary>
    public sealed record Pending : BotPhase
    {
        public static readonly Pending Instance = new();
        public override BotLifecycleState State => BotLifecycleState.Pending;
    }

    /// <summary>The start gates (dependencies, the token check) are being asked whether a worker may start.</summary>
    public sealed record Gating(string Reason) : BotPhase
    {
        public override BotLifecycleState State => BotLifecycleState.Starting;
    }

    /// <summary>A gate said "not yet": until it says otherwise (a dependency), or until <see cref="Retry"/>.</summary>
    public sealed record Waiting(string Reason, bool Retry) : BotPhase
    {
        public override BotLifecycleState State => BotLifecycleState.Waiting;
    }

    /// <summary>A worker runs; with <c>ready: notify</c> it is not ready until READY=1.</summary>
    public sealed record Spawned(Worker Run) : BotPhase
    {
        public override BotLifecycleState State => BotLifecycleState.Starting;
        public override Worker? Worker => Run;
    }

    /// <summary>The worker runs and is ready.</summary>
    public sealed record Up(Worker Run) : BotPhase
    {
        public override BotLifecycleState State => BotLifecycleState.Running;
        public override Worker? Worker => Run;
    }

    /// <summary>The worker's group is being ended (stop signal, SIGKILL after stop_timeout); <see cref="Cause"/> says what then.</summary>
    public sealed record Stopping(Worker Run, StopCause Cause, string Reason, TimeSpan SignalledAt, bool KillSent, TimeSpan KilledAt, string? RefusedReason = null) : BotPhase
    {
        public override BotLifecycleState State => BotLifecycleState.Stopping;
        public override Worker? Worker => Run;
    }

    /// <summary>Waiting to restart after a failed run.</summary>
    public sealed record Backoff : BotPhase
    {
        public override BotLifecycleState State => BotLifecycleState.Backoff;
    }

    public sealed record Stopped : BotPhase
    {
        public static readonly Stopped Instance = new();
        public override BotLifecycleState State => BotLifecycleState.Stopped;
    }

    public sealed record Failed : BotPhase
    {
        public static readonly Failed Instance = new();
        public override BotLifecycleState State => BotLifecycleState.Failed;
    }
}
