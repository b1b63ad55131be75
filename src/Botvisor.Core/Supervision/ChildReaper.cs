using System.Runtime.InteropServices;
using Botvisor.Core.Native;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Supervision;

/// <summary>
/// The one place that reaps children. The kernel's SIGCHLD wakes it (no polling); it then collects
/// every exited child with <c>waitid</c>: a worker's exit goes to that worker, and a descendant that
/// was re-parented to us (we are a child subreaper, so a bot's orphaned grandchildren come here, not
/// to init) is reaped, logged with its bot (found by its session id) and reported to that bot so it
/// can tell when its process group is empty.
/// </summary>
/// <remarks>
/// Workers are registered under the same lock the reaper takes, around the spawn itself, so a child
/// that exits before <c>posix_spawn</c> returns is still attributed to its worker.
/// Only one instance may exist per process, and nothing else in the process may reap children
/// (the daemon never uses <see cref="System.Diagnostics.Process"/> to start workers).
/// </remarks>
public sealed partial class ChildReaper : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<int, TaskCompletionSource<ExitStatus>> _workers = [];
    private readonly Dictionary<int, (string BotId, Action<OrphanExit> OnReaped)> _sessions = [];
    private readonly SemaphoreSlim _wake = new(0);
    private readonly ILogger _logger;
    private readonly PosixSignalRegistration _registration;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ChildReaper(ILogger<ChildReaper> logger, bool becomeSubreaper = true)
    {
        _logger = logger;
        if (becomeSubreaper)
        {
            IsSubreaper = LibC.prctl(LibC.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
            if (!IsSubreaper) Log.SubreaperFailed(_logger, LibC.ErrorText(Marshal.GetLastPInvokeError()));
        }
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGCHLD, ctx =>
        {
            ctx.Cancel = true;
            _wake.Release();
        });
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Whether orphaned descendants are re-parented to this process.</summary>
    public bool IsSubreaper { get; }

    /// <summary>Runs <paramref name="spawn"/> (which returns a pid, or throws) and registers the child under the reaper's lock.</summary>
    public (int Pid, Task<ExitStatus> Exited) SpawnAndRegister(Func<int> spawn)
    {
        lock (_gate)
        {
            int pid = spawn();
            var tcs = new TaskCompletionSource<ExitStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
            _workers[pid] = tcs;
            return (pid, tcs.Task);
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

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            ReapAll();
            try
            {
                await _wake.WaitAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private unsafe void ReapAll()
    {
        while (true)
        {
            LibC.SigInfo info = default;
            // Peek first (WNOWAIT): a zombie still has its /proc entry, so an orphan's session can be read.
            int rc = LibC.waitid(LibC.P_ALL, 0, &info, LibC.WEXITED | LibC.WNOHANG | LibC.WNOWAIT);
            if (rc != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EINTR) continue;
                return; // ECHILD: no children at all
            }
            int pid = info.si_pid;
            if (pid == 0) return; // children exist, none has exited

            var status = ToExitStatus(info);
            (string BotId, Action<OrphanExit> OnReaped) session = default;
            OrphanExit orphan = default;
            TaskCompletionSource<ExitStatus>? worker;
            lock (_gate)
            {
                if (!_workers.Remove(pid, out worker))
                {
                    var stat = ProcStat.Read(pid);
                    int sid = stat?.Session ?? 0;
                    orphan = new OrphanExit(pid, sid, status);
                    _sessions.TryGetValue(sid, out session);
                }
                // Now reap it for real.
                LibC.SigInfo reaped = default;
                while (LibC.waitid(LibC.P_PID, pid, &reaped, LibC.WEXITED | LibC.WNOHANG) != 0 && Marshal.GetLastPInvokeError() == LibC.EINTR)
                {
                }
            }

            if (worker is not null)
            {
                worker.TrySetResult(status);
            }
            else
            {
                Log.OrphanReaped(_logger, session.BotId ?? "(unknown)", pid, orphan.Session, status.ToString());
                session.OnReaped?.Invoke(orphan);
            }
        }
    }

    private static ExitStatus ToExitStatus(in LibC.SigInfo info) => info.si_code switch
    {
        LibC.CLD_EXITED => ExitStatus.Exited(info.si_status),
        LibC.CLD_DUMPED => ExitStatus.Killed(info.si_status, core: true),
        _ => ExitStatus.Killed(info.si_status),
    };

    public void Dispose()
    {
        _stop.Cancel();
        _registration.Dispose();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
        _wake.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = Diagnostics.LogEventIds.OrphanReaped, Level = LogLevel.Information,
            Message = "Reaped descendant {Pid} of bot {BotId} (session {Session}), re-parented to the daemon: {Status}")]
        public static partial void OrphanReaped(ILogger logger, string botId, int pid, int session, string status);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.SubreaperFailed, Level = LogLevel.Warning,
            Message = "Could not become a child subreaper ({Error}); orphaned descendants of bots will be re-parented to init")]
        public static partial void SubreaperFailed(ILogger logger, string error);
    }
}

/// <summary>A descendant of a worker, re-parented to the daemon, that has been reaped.</summary>
public readonly record struct OrphanExit(int Pid, int Session, ExitStatus Status);
