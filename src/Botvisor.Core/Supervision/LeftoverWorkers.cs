using System.Globalization;
using Botvisor.Core.Fleet;
using Botvisor.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Supervision;

/// <summary>
/// Ends the workers a previous daemon on this state directory left behind (it was killed with
/// SIGKILL, or the machine's init killed only the daemon). They are found two ways: the worker
/// records in the store, and the mark every worker carries in its environment (<see cref="WorkerMarks"/>),
/// which also finds a worker spawned just before the daemon died, before its record was durable, and
/// a child that left its worker's session. A recorded worker is touched only if a process with its
/// pid still exists with the recorded start time (field 22 of /proc/PID/stat) and session, so a
/// recycled pid is never signalled. Each whole session is ended: SIGTERM, then SIGKILL after the
/// timeout. Only then does the new daemon start its own workers, so two workers of one bot never live at once.
/// </summary>
public static partial class LeftoverWorkers
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(50);

    public static async Task<int> EndAllAsync(IFleetStore store, string? mark, TimeSpan stopTimeout, TimeProvider time, ILogger logger, CancellationToken cancellationToken = default)
    {
        var records = await store.LoadWorkersAsync(cancellationToken).ConfigureAwait(false);
        var targets = mark is null ? records.ToList() : WithMarked(records, WorkerMarks.Find(mark));
        var ended = await Task.WhenAll(targets.Select(r => EndAsync(r, stopTimeout, time, logger, cancellationToken))).ConfigureAwait(false);
        await store.DeleteWorkersAsync(records, cancellationToken).ConfigureAwait(false);
        return ended.Count(e => e);
    }

    /// <summary>
    /// The records, plus one target per session of marked processes that no record covers. A marked
    /// session is entered by its leader when that is alive (a process whose pid is its session id
    /// created that session, so every member descends from it), else by its oldest marked member.
    /// </summary>
    public static List<WorkerRecord> WithMarked(IReadOnlyList<WorkerRecord> records, IReadOnlyList<WorkerMarks.MarkedProcess> marked)
    {
        var targets = records.ToList();
        // A record covers its session only if its leader is still that record's process (not a recycled pid).
        var covered = records.Where(r => ProcStat.Read(r.Pid) is { } s && s.StartTime == r.StartTime && s.Session == r.ProcessGroup)
            .Select(r => r.ProcessGroup).ToHashSet();
        foreach (var session in marked.GroupBy(m => m.Session))
        {
            if (!covered.Add(session.Key)) continue;
            var oldest = session.MinBy(m => m.StartTime);
            var leader = ProcStat.Read(session.Key);
            targets.Add(leader is { } l && l.Session == session.Key && l.State != 'Z'
                ? new WorkerRecord(oldest.BotId, l.Pid, session.Key, l.StartTime, DateTimeOffset.UnixEpoch)
                : new WorkerRecord(oldest.BotId, oldest.Pid, session.Key, oldest.StartTime, DateTimeOffset.UnixEpoch));
        }
        return targets;
    }

    private static async Task<bool> EndAsync(WorkerRecord record, TimeSpan stopTimeout, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var members = SessionMembers(record);
        if (members.Count == 0)
        {
            Log.Gone(logger, record.BotId, record.Pid);
            return false;
        }

        Signal(members, Signals.SIGTERM);
        Signal(members, Signals.SIGCONT);
        var deadline = time.GetTimestamp();
        // These processes are not our children (we are a new daemon), so the kernel sends us no SIGCHLD
        // for them; during this one-off recovery we check their /proc entries until they are gone.
        while ((members = SessionMembers(record)).Count > 0 && time.GetElapsedTime(deadline) < stopTimeout)
        {
            await Task.Delay(CheckInterval, time, cancellationToken).ConfigureAwait(false);
        }
        if (members.Count > 0)
        {
            Signal(members, Signals.SIGKILL);
            while ((members = SessionMembers(record)).Count > 0 && time.GetElapsedTime(deadline) < stopTimeout + TimeSpan.FromSeconds(5))
            {
                await Task.Delay(CheckInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
        Log.Ended(logger, record.BotId, record.Pid);
        return true;
    }

    private static void Signal(List<int> pids, int signal)
    {
        foreach (var pid in pids) ProcessGroup.SignalProcess(pid, signal);
    }

    /// <summary>
    /// Live processes of the worker's session that are not older than the worker: the worker itself
    /// (when its start time matches) and what it started. Zombies are ignored.
    /// </summary>
    public static List<int> SessionMembers(WorkerRecord record)
    {
        var result = new List<int>();
        var leader = ProcStat.Read(record.Pid);
        bool leaderMatches = leader is { } l && l.StartTime == record.StartTime && l.Session == record.ProcessGroup;
        if (leader is not null && !leaderMatches && leader.Value.Session == record.ProcessGroup)
        {
            // The pid was recycled and the new process leads the session: not ours.
            return result;
        }
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            var stat = ProcStat.Read(pid);
            if (stat is not { } s || s.Session != record.ProcessGroup || s.State == 'Z') continue;
            if (s.StartTime < record.StartTime) continue;
            result.Add(pid);
        }
        return result;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = Diagnostics.LogEventIds.LeftoverWorkerEnded, Level = LogLevel.Warning,
            Message = "Ended worker {Pid} of bot {BotId} left behind by a previous daemon")]
        public static partial void Ended(ILogger logger, string botId, int pid);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.LeftoverWorkerGone, Level = LogLevel.Debug,
            Message = "Worker {Pid} of bot {BotId} recorded by a previous daemon is already gone")]
        public static partial void Gone(ILogger logger, string botId, int pid);
    }
}
