using Botvisor.Core.Logs;
using Botvisor.Core.Telegram;

namespace Botvisor.Core.Supervision.Attachments;

/// <summary>
/// The worker's stdout and stderr are read by the fleet's one output reader into the bot's log (masked,
/// line by line: the fleet's tokens and, for a gateway bot, the placeholder of this run, which its HTTP
/// client may log in a URL); a line with Telegram's 409 text tells the supervisor another instance polls the token.
/// The reader lets a stream go at its end, so nothing is left to undo when the worker has ended.
/// </summary>
internal sealed class OutputCapture(OutputReader reader, TokenMasker masker, TimeProvider time, Gateway.GatewayRegistry? gateway) : IWorkerAttachment
{
    public ValueTask SpawnedAsync(AttachedWorker worker)
    {
        var inbox = worker.Inbox;
        // Issued for this worker while its environment was made (GatewayPlaceholder.Spawning), before it ran.
        var placeholder = gateway?.Bot(worker.BotId)?.Current?.Placeholder;
        Action<string> watch = line =>
        {
            if (PollingConflict.IsIn(line)) inbox.Post(new SupervisorSignal.ConflictDetected());
        };
        reader.Add(worker.Process.Spawned.StdoutFd, new OutputPump(LogStream.Stdout, worker.Log, masker, time, watch, placeholder));
        reader.Add(worker.Process.Spawned.StderrFd, new OutputPump(LogStream.Stderr, worker.Log, masker, time, watch, placeholder));
        return ValueTask.CompletedTask;
    }
}
