using Botvisor.Core.Fleet;
using Botvisor.Core.Supervision.Machine;

namespace Botvisor.Core.Supervision.Gates;

/// <summary>
/// Decides whether a worker of a bot may start now: its dependencies run, Telegram accepts its token
/// (and, in a cluster, this node holds its lease). Every start asks every gate in order; the first that
/// does not open decides. A gate that needs no I/O answers synchronously (a completed
/// <see cref="ValueTask"/>), so a restart that no gate holds up is spawned in the same step.
/// </summary>
public interface IStartGate
{
    /// <summary>What the bot shows while the gate's answer is pending (e.g. "checking the token with getMe").</summary>
    string Doing { get; }

    /// <param name="attempt">How many times the gates asked to be retried since the last start command (for the gate's own backoff).</param>
    ValueTask<GateVerdict> AskAsync(BotSpec spec, int attempt, CancellationToken cancellationToken);

    /// <summary>
    /// After a <see cref="GateVerdict.Wait"/> without a retry time: completes when asking again may give
    /// another answer (a dependency changed state).
    /// </summary>
    Task WhenChangedAsync(BotSpec spec, CancellationToken cancellationToken);
}
