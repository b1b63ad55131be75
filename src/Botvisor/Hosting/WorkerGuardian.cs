using System.Collections;
using Botvisor.Core.State;
using Botvisor.Core.Storage;
using Botvisor.Core.Supervision;
using Microsoft.Win32.SafeHandles;

namespace Botvisor.Hosting;

/// <summary>
/// Makes a node's workers die with it. A small process (<c>botvisor guard</c>, in a session of its own) holds
/// the read end of a pipe whose only write end is this daemon's (close-on-exec, so no worker inherits it).
/// However the daemon ends, <c>kill -9</c> included, the kernel closes that end; the guardian reads EOF and
/// kills the process group of every process that carries this daemon's worker mark (<c>BOTVISOR_STATE_ID</c>,
/// which everything a worker starts inherits), within milliseconds and long before the node's leases can
/// expire. A clean shutdown has stopped every worker already: the guardian finds none and exits.
/// </summary>
/// <remarks>
/// <para>
/// A guardian that ends while the daemon lives is started again at once, as a service manager restarts a
/// crashed service: the new one needs no hand-over, it finds the workers by their mark when its time comes.
/// Like systemd's start limit, at most <see cref="RestartBurst"/> restarts within <see cref="RestartInterval"/>:
/// past that (or when no guardian can be started) the node fences itself rather than run workers nothing
/// would end after a crash: the daemon stops as on <c>botvisor shutdown</c> (its workers stop, its leases are
/// released, the other nodes start its bots) and exits with status 1, for its service manager to restart.
/// </para>
/// <para>
/// Not <c>PR_SET_PDEATHSIG</c>: it fires when the spawning <em>thread</em> ends (workers are spawned from the
/// reaper's thread and from thread-pool threads, which retire when idle), and it reaches only the worker's
/// own process, not what the worker started. Not <see cref="System.Diagnostics.Process"/> either: the daemon's
/// <see cref="ChildReaper"/> reaps every child, so the guardian is spawned and reaped through it like a worker.
/// </para>
/// </remarks>
public sealed partial class WorkerGuardian(string mark, ChildReaper reaper, IHostApplicationLifetime lifetime, StoreWriter events, TimeProvider time,
    ILogger<WorkerGuardian> logger) : IDisposable
{
    /// <summary>systemd's default start limit: five starts within ten seconds.</summary>
    public const int RestartBurst = 5;

    public static readonly TimeSpan RestartInterval = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly Queue<long> _restarts = new();
    private int _pid;
    private SafeFileHandle? _pipe;
    private bool _disposing;

    public int? Pid
    {
        get
        {
            lock (_lock) return _pipe is null ? null : _pid;
        }
    }

    /// <summary>True once the guardian could not be kept and the daemon was stopped for it (the daemon then exits with status 1).</summary>
    public bool GaveUp { get; private set; }

    /// <summary>Starts the first guardian; a failure here (<see cref="SpawnException"/>) is the daemon's failure to start.</summary>
    public void Start()
    {
        lock (_lock) Spawn();
    }

    private void Spawn()
    {
        var args = Environment.GetCommandLineArgs();
        var argv = new List<string> { Environment.ProcessPath! };
        if (args.Length > 0 && args[0].EndsWith(".dll", StringComparison.Ordinal)) argv.Add(Path.GetFullPath(args[0])); // run by `dotnet botvisor.dll`
        argv.AddRange(["guard", "--mark", mark]);
        var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
        var (pid, pipe) = ProcessSpawner.SpawnWithStdinPipe(new SpawnRequest(argv, "/", environment), reaper,
            (ended, status) => ThreadPool.QueueUserWorkItem(_ => OnExited(ended, status))); // the reaper's callbacks only hand the news on
        _pid = pid;
        _pipe = pipe;
        GuardianStarted(logger, pid);
    }

    private void OnExited(int pid, ExitStatus status)
    {
        int newPid = 0;
        string? failure = null;
        lock (_lock)
        {
            if (_disposing || pid != _pid) return;
            _pipe?.Dispose(); // our end of its pipe
            _pipe = null;
            while (_restarts.TryPeek(out long at) && time.GetElapsedTime(at) > RestartInterval) _restarts.Dequeue();
            if (_restarts.Count < RestartBurst)
            {
                _restarts.Enqueue(time.GetTimestamp());
                try
                {
                    Spawn();
                    newPid = _pid;
                }
                catch (SpawnException ex)
                {
                    failure = ex.Message;
                }
            }
            else
            {
                failure = $"it ended {RestartBurst + 1} times within {RestartInterval.TotalSeconds:0} s";
            }
            if (failure is not null) GaveUp = true;
        }
        if (failure is null)
        {
            GuardianRestarted(logger, pid, status.ToString(), newPid);
            Record($"the worker guardian {pid} ended ({status}) while the daemon runs; a new one ({newPid}) took its place");
            return;
        }
        GuardianGaveUp(logger, pid, status.ToString(), failure);
        Record($"the worker guardian {pid} ended ({status}) and cannot be kept ({failure}): the node hands its bots over and stops");
        lifetime.StopApplication();
    }

    private void Record(string message) => events.Record(new BotEvent { Time = time.GetUtcNow(), Kind = BotEventKinds.Node, Actor = "daemon", Message = message });

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposing) return;
            _disposing = true;
            _pipe?.Dispose(); // EOF: the guardian looks once (finds nothing after a clean stop) and exits
            _pipe = null;
        }
    }

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.GuardianStarted, Level = LogLevel.Information,
        Message = "Worker guardian {Pid} started: if this daemon dies, it kills every worker of this node")]
    private static partial void GuardianStarted(ILogger logger, int pid);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.GuardianFailed, Level = LogLevel.Warning,
        Message = "The worker guardian {Pid} ended ({Status}) while the daemon runs; guardian {NewPid} took its place")]
    private static partial void GuardianRestarted(ILogger logger, int pid, string status, int newPid);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.GuardianGaveUp, Level = LogLevel.Critical,
        Message = "The worker guardian {Pid} ended ({Status}) and cannot be kept: {Reason}. Workers would outlive a crash of this daemon, so the node fences itself: it hands its bots over, stops, and exits with status 1")]
    private static partial void GuardianGaveUp(ILogger logger, int pid, string status, string reason);
}
