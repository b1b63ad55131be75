namespace Botvisor.Core.Storage;

/// <summary>
/// A worker this node started: enough to find it again after a crash of the daemon and to be sure
/// it is the same process (<see cref="StartTime"/> is field 22 of /proc/PID/stat, so a recycled pid
/// never matches).
/// </summary>
public sealed record WorkerRecord(string BotId, int Pid, int ProcessGroup, ulong StartTime, DateTimeOffset StartedAt)
{
    /// <summary>In a cluster: the epoch of the lease the worker was started under (null on one node).</summary>
    public long? Epoch { get; init; }
}
