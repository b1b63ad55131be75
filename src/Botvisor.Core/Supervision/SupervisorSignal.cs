using Botvisor.Core.Fleet;
using Botvisor.Core.State;

namespace Botvisor.Core.Supervision;

/// <summary>Everything that can wake a bot's supervisor loop.</summary>
internal abstract record SupervisorSignal
{
    public sealed record Command(BotCommand Kind, BotSpec? Spec, string Reason, TaskCompletionSource<BotSnapshot> Done) : SupervisorSignal;

    public sealed record ChildExited(int Pid, ExitStatus Status) : SupervisorSignal;

    public sealed record DescendantReaped(int Session) : SupervisorSignal;

    public sealed record DeadlineReached(long Generation) : SupervisorSignal;

    public sealed record DependenciesReady(long Generation) : SupervisorSignal;

    public sealed record PreflightCompleted(long Generation, Telegram.TelegramResult<Telegram.TelegramBotInfo> Result) : SupervisorSignal;

    public sealed record TokenCheckDue(long Generation) : SupervisorSignal;

    public sealed record TokenCheckCompleted(long Generation, Telegram.TelegramResult<Telegram.TelegramBotInfo> Result) : SupervisorSignal;

    public sealed record ConflictDetected : SupervisorSignal;

    public sealed record NotifyReceived(Health.NotifyMessage Message) : SupervisorSignal;

    public sealed record ProbeDue(long Generation) : SupervisorSignal;

    public sealed record ProbeCompleted(long Generation, Health.ProbeResult Result) : SupervisorSignal;

    public sealed record ResourceLimitExceeded(string Reason) : SupervisorSignal;
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
