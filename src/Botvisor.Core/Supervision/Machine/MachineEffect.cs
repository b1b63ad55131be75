using Botvisor.Core.Fleet;
using Botvisor.Core.State;

namespace Botvisor.Core.Supervision.Machine;

/// <summary>What the machine asks its shell to do, in order. Data only: the shell does the I/O.</summary>
public abstract record MachineEffect
{
    /// <summary>A transition: publish the state with its reason (and more snapshot changes), log it, record it as an event.</summary>
    public sealed record SetState(BotLifecycleState State, string Reason, Func<BotSnapshot, BotSnapshot>? More = null) : MachineEffect;

    /// <summary>A snapshot change that is not a transition.</summary>
    public sealed record Publish(Func<BotSnapshot, BotSnapshot> Change) : MachineEffect;

    /// <summary>The result of one check (process, notify, watchdog, memory…), which makes the health verdict.</summary>
    public sealed record SetCheck(string Name, bool Healthy, string Message) : MachineEffect;

    /// <summary>Ask the start gates; <paramref name="Attempt"/> counts the gate's retries (for its own backoff).</summary>
    public sealed record RunGates(int Attempt) : MachineEffect;

    /// <summary>Forget a gate run in progress: its answer must change nothing.</summary>
    public sealed record CancelGates : MachineEffect;

    /// <summary>Spawn a worker; the shell answers with <see cref="MachineSignal.Spawned"/> or <see cref="MachineSignal.SpawnFailed"/>.</summary>
    public sealed record Spawn(string Reason) : MachineEffect;

    /// <summary>Send a signal to the worker's process group (and whatever of it left the group, in its cgroup).</summary>
    public sealed record SignalGroup(int Signal) : MachineEffect;

    /// <summary>SIGKILL the worker's group and cgroup.</summary>
    public sealed record KillGroup : MachineEffect;

    /// <summary>The one deadline, replacing any earlier one.</summary>
    public sealed record ArmDeadline(TimeSpan After) : MachineEffect;

    public sealed record Disarm : MachineEffect;

    /// <summary>The worker is up: start what watches it from outside (token check, liveness probe).</summary>
    public sealed record StartMonitors : MachineEffect;

    public sealed record StopMonitors : MachineEffect;

    /// <summary>The worker's group has ended: drop its routes, its reaper session and its record.</summary>
    public sealed record ReleaseWorker(int Pid) : MachineEffect;

    /// <summary>A new definition: the log's rotation settings and the snapshot's source and token follow it.</summary>
    public sealed record ApplySpec(BotSpec Spec) : MachineEffect;

    public sealed record LogExited(int Pid, ExitStatus Status, TimeSpan Uptime) : MachineEffect;

    public sealed record LogKilled(int Pid, TimeSpan After) : MachineEffect;

    public sealed record LogLingering(int Pid) : MachineEffect;

    public sealed record LogMemoryLimit(string Cause) : MachineEffect;

    /// <summary>The supervisor's work is done: end its loop.</summary>
    public sealed record Exit : MachineEffect;
}
