using Botvisor.Core.Fleet;
using Botvisor.Core.State;

namespace Botvisor.Core.Supervision;

/// <summary>Everything that can wake a bot's supervisor loop (before the shell turns it into a <see cref="Machine.MachineSignal"/>).</summary>
internal abstract record SupervisorSignal
{
    public sealed record Command(BotCommand Kind, BotSpec? Spec, string Reason, TaskCompletionSource<BotSnapshot> Done) : SupervisorSignal;

    public sealed record ChildExited(int Pid, ExitStatus Status) : SupervisorSignal;

    public sealed record DescendantReaped(int Session) : SupervisorSignal;

    public sealed record DeadlineReached(long Generation) : SupervisorSignal;

    /// <summary>A start gate's answer that needed I/O, for the gate run of <paramref name="Generation"/>.</summary>
    public sealed record GateAnswered(long Generation, Machine.GateVerdict Verdict) : SupervisorSignal;

    /// <summary>A gate that said "wait" may answer otherwise now: ask the gates again.</summary>
    public sealed record GatesChanged(long Generation) : SupervisorSignal;

    public sealed record ConflictDetected : SupervisorSignal;

    public sealed record NotifyReceived(Health.NotifyMessage Message) : SupervisorSignal;

    /// <summary>A monitor's result; with <paramref name="Fault"/>, one the machine must act on.</summary>
    public sealed record MonitorReport(Health.WorkerMonitors From, string Check, bool Healthy, string Message, Machine.MachineSignal? Fault) : SupervisorSignal;

    public sealed record ResourceLimitExceeded(string Reason) : SupervisorSignal;

    /// <summary>Something hung on the worker of <paramref name="Pid"/> found it broken (the gateway: its polling stopped).</summary>
    public sealed record WorkerFault(int Pid, string Check, string Reason) : SupervisorSignal;

    /// <summary>The gates that let the worker run closed (a lost or handed-over lease).</summary>
    public sealed record GateClosed(string Reason) : SupervisorSignal;
}

/// <summary>What a person or the reconciler asks of a bot.</summary>
public enum BotCommand
{
    Start,
    Stop,
    Restart,

    /// <summary>Replace the spec; a running worker is restarted if the spec changed.</summary>
    Update,

    /// <summary>Stop the worker and end the supervisor (bot removed, or daemon shutting down).</summary>
    Remove,
}
