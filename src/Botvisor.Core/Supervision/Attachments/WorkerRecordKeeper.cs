using Botvisor.Core.Storage;

namespace Botvisor.Core.Supervision.Attachments;

/// <summary>
/// The worker's record (pid, session, start time) in the store, so a successor of a killed daemon finds
/// it (with the mark in its environment, which needs no write). Deleting it is not awaited: a record
/// that outlives its worker is harmless (the next daemon checks pid and start time before it touches
/// anything), and a restart should not wait for the disk.
/// </summary>
internal sealed class WorkerRecordKeeper(StoreWriter store) : IWorkerAttachment
{
    /// <summary>The record carries the lease epoch the worker was given (<see cref="Cluster.LeaseEpochAttachment"/>), in a cluster.</summary>
    public async ValueTask SpawnedAsync(AttachedWorker worker) =>
        await store.SaveWorkerAsync(worker.Process.Record).ConfigureAwait(false);

    public void Ended(AttachedWorker worker) => _ = store.DeleteWorkerAsync(worker.Process.Record);
}
