using System.Diagnostics;

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
/// Not <c>PR_SET_PDEATHSIG</c>: it fires when the spawning <em>thread</em> ends (workers are spawned from the
/// reaper's thread and from thread-pool threads, which retire when idle), and it reaches only the worker's
/// own process, not what the worker started.
/// </remarks>
public sealed partial class WorkerGuardian(string mark, ILogger<WorkerGuardian> logger) : IDisposable
{
    private Process? _process;
    private bool _disposing;

    public int? Pid => _process?.Id;

    public void Start()
    {
        var args = Environment.GetCommandLineArgs();
        var psi = new ProcessStartInfo("setsid")
        {
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Environment.ProcessPath!);
        if (args.Length > 0 && args[0].EndsWith(".dll", StringComparison.Ordinal)) psi.ArgumentList.Add(args[0]); // run by `dotnet botvisor.dll`
        psi.ArgumentList.Add("guard");
        psi.ArgumentList.Add("--mark");
        psi.ArgumentList.Add(mark);
        _process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        _process.Exited += (_, _) =>
        {
            if (!_disposing) GuardianEnded(logger);
        };
        _process.Start();
        GuardianStarted(logger, _process.Id);
    }

    public void Dispose()
    {
        if (_disposing) return;
        _disposing = true;
        try
        {
            _process?.StandardInput.Close(); // EOF: the guardian looks once (finds nothing after a clean stop) and exits
        }
        catch (IOException)
        {
        }
        _process?.Dispose();
    }

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.GuardianStarted, Level = LogLevel.Information,
        Message = "Worker guardian {Pid} started: if this daemon dies, it kills every worker of this node")]
    private static partial void GuardianStarted(ILogger logger, int pid);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.GuardianFailed, Level = LogLevel.Error,
        Message = "The worker guardian ended while the daemon runs: workers would outlive a crash of this daemon until the next daemon on this state directory ends them")]
    private static partial void GuardianEnded(ILogger logger);
}
