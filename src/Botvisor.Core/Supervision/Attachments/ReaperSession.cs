namespace Botvisor.Core.Supervision.Attachments;

/// <summary>The reaper watches the worker's session: a reaped descendant wakes its supervisor (is anything of the group left?).</summary>
internal sealed class ReaperSession(ChildReaper reaper) : IWorkerAttachment
{
    public ValueTask SpawnedAsync(AttachedWorker worker)
    {
        int pid = worker.Pid;
        reaper.WatchSession(pid, worker.BotId, _ => worker.Inbox.Post(new SupervisorSignal.DescendantReaped(pid)));
        return ValueTask.CompletedTask;
    }

    public void Ended(AttachedWorker worker) => reaper.UnwatchSession(worker.Pid);
}
