using Botvisor.Core.Fleet;

namespace Botvisor.Core.Supervision.Machine;

/// <summary>
/// One thing that happened to a bot, as the machine sees it. The shell adds what it observed at that
/// moment (whether the worker's group is still alive, whether the kernel's OOM killer ended it), so the
/// machine never looks at the system itself. Stale signals (an old deadline, a gate run that was
/// cancelled, another worker's exit) are dropped by the shell before they get here.
/// </summary>
public abstract record MachineSignal
{
    public sealed record Start(string Reason) : MachineSignal;

    public sealed record Stop(string Reason) : MachineSignal;

    public sealed record Restart(string Reason) : MachineSignal;

    /// <summary>A new definition; a worker (or a start in progress) is restarted if it changed.</summary>
    public sealed record Update(BotSpec Spec, string Reason) : MachineSignal;

    /// <summary>End the worker and then the supervisor.</summary>
    public sealed record Remove(string Reason) : MachineSignal;

    /// <summary>What the start gates said (one gate run may say "wait" and later "open").</summary>
    public sealed record GateAnswered(GateVerdict Verdict) : MachineSignal;

    /// <summary>The gates that let the worker run closed (a lost lease): stop it, then ask the gates again. No restart budget is spent.</summary>
    public sealed record GateClosed(string Reason) : MachineSignal;

    /// <summary>The worker asked for was spawned.</summary>
    public sealed record Spawned(int Pid, bool HasCgroup) : MachineSignal;

    public sealed record SpawnFailed(string Message) : MachineSignal;

    /// <summary>The worker's main process ended. <paramref name="OomCause"/>: the kernel's OOM killer ended the bot in its cgroup.</summary>
    public sealed record ChildExited(ExitStatus Status, bool GroupAlive, string? OomCause = null) : MachineSignal;

    /// <summary>A process of the worker's group (or cgroup) was reaped: is anything of it left?</summary>
    public sealed record GroupChecked(bool GroupAlive) : MachineSignal;

    /// <summary>The one deadline the machine armed has come; <paramref name="GroupAlive"/> when a worker exists.</summary>
    public sealed record DeadlineReached(bool GroupAlive) : MachineSignal;

    /// <summary>READY=1 from the worker.</summary>
    public sealed record Ready(int SenderPid) : MachineSignal;

    /// <summary>WATCHDOG=1.</summary>
    public sealed record WatchdogKicked : MachineSignal;

    /// <summary>WATCHDOG_USEC=… from the bot.</summary>
    public sealed record WatchdogChanged(TimeSpan Interval) : MachineSignal;

    /// <summary>EXTEND_TIMEOUT_USEC=…: more time to start or to stop.</summary>
    public sealed record TimeoutExtended(TimeSpan By) : MachineSignal;

    /// <summary>A check found the worker broken (liveness probe, memory limit, WATCHDOG=trigger): end it, then apply the restart policy.</summary>
    public sealed record Fault(string Check, string Reason) : MachineSignal;

    /// <summary>Telegram rejected the token while the bot ran: end it, then Failed.</summary>
    public sealed record TokenRejected(string Reason, string FailReason) : MachineSignal;
}

/// <summary>What the start gates say about starting a worker now (<see cref="Open.Shows"/>: what the bot's snapshot shows from it, such as its @username).</summary>
public abstract record GateVerdict
{
    /// <summary>Start the worker. <paramref name="Reason"/> says why it may now (null: the reason the start was asked for).</summary>
    public sealed record Open(string? Reason, Func<State.BotSnapshot, State.BotSnapshot>? Shows = null) : GateVerdict;

    /// <summary>A gate is finding out (a call to the Bot API): shown as Starting with what it does.</summary>
    public sealed record Checking(string What) : GateVerdict;

    /// <summary>Not now: <paramref name="RetryIn"/> asks for the gates again then; null: the gate will answer again by itself.</summary>
    public sealed record Wait(string Reason, TimeSpan? RetryIn) : GateVerdict;

    /// <summary>Never, until someone changes something: Failed.</summary>
    public sealed record Refuse(string Reason) : GateVerdict;
}
