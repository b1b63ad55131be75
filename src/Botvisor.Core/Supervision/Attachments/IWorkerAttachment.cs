using Botvisor.Core.Fleet;
using Botvisor.Core.Logs;

namespace Botvisor.Core.Supervision.Attachments;

/// <summary>
/// Something that hangs on a live worker for exactly its life: the reaper's watch of its session, its
/// sd_notify route, the capture of its output, its durable record, the gateway's placeholder token. Attachments are shared by the fleet; each hook gets the worker it is about. They post what
/// they see to the worker's supervisor and never decide anything themselves.
/// </summary>
internal interface IWorkerAttachment
{
    /// <summary>Before the spawn: what the worker's environment gets from this attachment.</summary>
    void Spawning(BotSpec spec, IDictionary<string, string> environment)
    {
    }

    /// <summary>The spawn failed after <see cref="Spawning"/>: no worker will carry what it gave.</summary>
    void SpawnFailed(BotSpec spec)
    {
    }

    /// <summary>The worker exists (its pid is known); awaited before the machine hears of it.</summary>
    ValueTask SpawnedAsync(AttachedWorker worker) => ValueTask.CompletedTask;

    /// <summary>Nothing of the worker is left.</summary>
    void Ended(AttachedWorker worker)
    {
    }
}

/// <summary>Where an attachment posts what it sees: the worker's supervisor.</summary>
internal interface IWorkerInbox
{
    void Post(SupervisorSignal signal);
}

/// <summary>One live worker, as its attachments see it.</summary>
internal sealed record AttachedWorker(string BotId, WorkerProcess Process, BotLog Log, IWorkerInbox Inbox)
{
    public int Pid => Process.Pid;
}
