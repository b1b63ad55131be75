using System.Runtime.InteropServices;
using Botvisor.Core.Fleet;

namespace Botvisor.Hosting;

/// <summary>
/// The daemon's signals, taken from the first moment of <c>botvisor run</c>, before anything starts.
/// SIGHUP's default action ends the process, and <c>systemctl reload</c> may send it at any time,
/// also while the daemon is still starting: a SIGHUP before the fleet has started is remembered and
/// becomes one reload once it has. SIGTERM and SIGINT before the host runs are remembered too and
/// stop it as soon as it exists, so a shutdown at any instant of start-up is a graceful one.
/// </summary>
public sealed class DaemonSignals : IDisposable
{
    private readonly Lock _lock = new();
    private readonly PosixSignalRegistration _hangup;
    private readonly PosixSignalRegistration _terminate;
    private readonly PosixSignalRegistration _interrupt;
    private Action? _reload;
    private bool _reloadPending;
    private IHostApplicationLifetime? _lifetime;

    private DaemonSignals(bool sighupWasIgnored)
    {
        SighupWasIgnored = sighupWasIgnored;
        _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
        {
            ctx.Cancel = true;
            RaiseReload();
        });
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnShutdownSignal);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnShutdownSignal);
    }

    /// <summary>Whether SIGHUP arrived ignored (<c>nohup</c>) and was taken back.</summary>
    public bool SighupWasIgnored { get; }

    /// <summary>Whether SIGTERM or SIGINT has arrived.</summary>
    public bool ShutdownRequested { get; private set; }

    /// <summary>Registers for the signals now; under nohup SIGHUP is first taken back from "ignored".</summary>
    public static DaemonSignals Register() => new(IgnoredSignal.Reclaim(Signals.SIGHUP));

    /// <summary>The host to stop on SIGTERM/SIGINT; stopped at once if one came before.</summary>
    public void AttachHost(IHostApplicationLifetime lifetime)
    {
        bool requested;
        lock (_lock)
        {
            _lifetime = lifetime;
            requested = ShutdownRequested;
        }
        if (requested) lifetime.StopApplication();
    }

    /// <summary>From now on SIGHUP runs <paramref name="handler"/>; one that came before runs it once, now.</summary>
    public void AttachReload(Action handler)
    {
        bool pending;
        lock (_lock)
        {
            _reload = handler;
            pending = _reloadPending;
            _reloadPending = false;
        }
        if (pending) handler();
    }

    /// <summary>SIGHUP is remembered again instead of handled (during shutdown it changes nothing).</summary>
    public void DetachReload()
    {
        lock (_lock) _reload = null;
    }

    internal void RaiseReload()
    {
        Action? handler;
        lock (_lock)
        {
            handler = _reload;
            if (handler is null) _reloadPending = true;
        }
        handler?.Invoke();
    }

    private void OnShutdownSignal(PosixSignalContext context)
    {
        // The host's console lifetime handles these once it has started; before that, this one does.
        context.Cancel = true;
        IHostApplicationLifetime? lifetime;
        lock (_lock)
        {
            ShutdownRequested = true;
            lifetime = _lifetime;
        }
        lifetime?.StopApplication();
    }

    public void Dispose()
    {
        _hangup.Dispose();
        _terminate.Dispose();
        _interrupt.Dispose();
    }
}
