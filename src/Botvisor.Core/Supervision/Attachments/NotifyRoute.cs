using Botvisor.Core.Health;

namespace Botvisor.Core.Supervision.Attachments;

/// <summary>sd_notify datagrams from the worker's session (by the kernel's credentials) go to its supervisor.</summary>
internal sealed class NotifyRoute(NotifyRouter router) : IWorkerAttachment
{
    public ValueTask SpawnedAsync(AttachedWorker worker)
    {
        router.Register(worker.Pid, m => worker.Inbox.Post(new SupervisorSignal.NotifyReceived(m)));
        return ValueTask.CompletedTask;
    }

    public void Ended(AttachedWorker worker) => router.Unregister(worker.Pid);
}
