using System.Runtime.InteropServices;
using Botvisor.Core.Native;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Supervision;

/// <summary>
/// The one place that reaps children: a thread of its own blocked in <c>waitid</c>, which the kernel
/// wakes the moment a child exits (no signal handler, no polling, no hop through the thread pool
/// before the exit is known). A worker's exit goes to that worker's callback, and a descendant that
/// was re-parented to us (we are a child subreaper, so a bot's orphaned grandchildren come here, not
/// to init) is reaped, logged with its bot (found by its session id) and reported to that bot so it
/// can tell when its process group is empty.
/// </summary>
/// <remarks>
/// Workers are registered under the same lock the reaper takes, around the spawn itself, so a child
/// that exits before <c>posix_spawn</c> returns is still attributed to its worker. Callbacks run on
/// the reaper's thread and must only hand the news on (the supervisors post it to their channel).
/// Only one instance may exist per process, and nothing else in the process may reap children
/// (the daemon never uses <see cref="System.Diagnostics.Process"/> to start workers).
/// </remarks>
public sealed partial class ChildReaper : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<int, Action<int, ExitStatus>> _workers = [];
    private readonly Dictionary<int, (string BotId, Action<OrphanExit> OnReaped)> _sessions = [];
    private readonly AutoResetEvent _spawned = new(false);
    private readonly ILogger _logger;
    private volatile bool _stopping;

    public ChildReaper(ILogger<ChildReaper> logger, bool becomeSubreaper = true)
    {
        _logger = logger;
        if (becomeSubreaper)
        {
            IsSubreaper = LibC.prctl(LibC.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
            if (!IsSubreaper) Log.SubreaperFailed(_logger, LibC.ErrorText(Marshal.GetLastPInvokeError()));
        }
        new Thread(Loop) { IsBackground = true, Name = "botvisor-reaper" }.Start();
    }

    /// <summary>Whether orphaned descendants are re-parented to this process.</summary>
    public bool IsSubreaper { get; }

    /// <summary>
    /// Runs <paramref name="spawn"/> (which returns a pid, or throws) and registers the child under the
    /// reaper's lock; <paramref name="onExit"/> gets its pid and exit status, on the reaper's thread.
    /// </summary>
    public int SpawnAndRegister(Func<int> spawn, Action<int, ExitStatus> onExit)
    {
        lock (_gate)
        {
            int pid = spawn();
            _workers[pid] = onExit;
            _spawned.Set();
            return pid;
        }
    }

    /// <summary>Hears about re-parented descendants of session <paramref name="sessionId"/> as they are reaped.</summary>
    public void WatchSession(int sessionId, string botId, Action<OrphanExit> onReaped)
    {
        lock (_gate) _sessions[sessionId] = (botId, onReaped);
    }

    public void UnwatchSession(int sessionId)
    {
        lock (_gate) _sessions.Remove(sessionId);
    }

    private unsafe void Loop()
    {
        while (!_stopping)
        {
            LibC.SigInfo info = default;
            // Block until a child has exited, and only peek (WNOWAIT): a zombie still has its /proc
            // entry, so an orphan's session can be read before it is reaped.
            if (LibC.waitid(LibC.P_ALL, 0, &info, LibC.WEXITED | LibC.WNOWAIT) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.ECHILD) _spawned.WaitOne(); // no children at all: sleep until one is spawned
                continue; // EINTR: a signal for this thread; just wait again
            }
            if (info.si_pid != 0) Reap(info);
        }
    }

    private unsafe void Reap(in LibC.SigInfo info)
    {
        int pid = info.si_pid;
        var status = ToExitStatus(info);
        (string BotId, Action<OrphanExit> OnReaped) session = default;
        OrphanExit orphan = default;
        Action<int, ExitStatus>? worker;
        lock (_gate)
        {
            if (!_workers.Remove(pid, out worker))
            {
                int sid = ProcStat.Read(pid)?.Session ?? 0;
                orphan = new OrphanExit(pid, sid, status);
                _sessions.TryGetValue(sid, out session);
            }
            // Now reap it for real. It may be gone already: posix_spawn reaps a child whose exec failed
            // itself (while holding our lock, so before we get here); that child was never a worker.
            LibC.SigInfo reaped = default;
            int rc;
            while ((rc = LibC.waitid(LibC.P_PID, pid, &reaped, LibC.WEXITED | LibC.WNOHANG)) != 0 && Marshal.GetLastPInvokeError() == LibC.EINTR)
            {
            }
            if (rc != 0 && worker is null) return;
        }

        try
        {
            if (worker is not null)
            {
                worker(pid, status);
            }
            else
            {
                Log.OrphanReaped(_logger, session.BotId ?? "(unknown)", pid, orphan.Session, status.ToString());
                session.OnReaped?.Invoke(orphan);
            }
        }
        catch (Exception ex)
        {
            // The reaper must outlive any callback's bug: every later exit depends on it.
            Log.CallbackFailed(_logger, pid, ex);
        }
    }

    private static ExitStatus ToExitStatus(in LibC.SigInfo info) => info.si_code switch
    {
        LibC.CLD_EXITED => ExitStatus.Exited(info.si_status),
        LibC.CLD_DUMPED => ExitStatus.Killed(info.si_status, core: true),
        _ => ExitStatus.Killed(info.si_status),
    };

    /// <summary>Stops reaping once no child is left (the thread, a background one, does not hold the process up).</summary>
    public void Dispose()
    {
        _stopping = true;
        _spawned.Set();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = Diagnostics.LogEventIds.OrphanReaped, Level = LogLevel.Information,
            Message = "Reaped descendant {Pid} of bot {BotId} (session {Session}), re-parented to the daemon: {Status}")]
        public static partial void OrphanReaped(ILogger logger, string botId, int pid, int session, string status);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.SubreaperFailed, Level = LogLevel.Warning,
            Message = "Could not become a child subreaper ({Error}); orphaned descendants of bots will be re-parented to init")]
        public static partial void SubreaperFailed(ILogger logger, string error);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.ReaperCallbackFailed, Level = LogLevel.Error,
            Message = "The exit of process {Pid} could not be handed on")]
        public static partial void CallbackFailed(ILogger logger, int pid, Exception exception);
    }
}

/// <summary>A descendant of a worker, re-parented to the daemon, that has been reaped.</summary>
public readonly record struct OrphanExit(int Pid, int Session, ExitStatus Status);
