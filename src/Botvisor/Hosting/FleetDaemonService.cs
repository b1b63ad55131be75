using System.Runtime.InteropServices;
using Botvisor.Core.Configuration;
using Botvisor.Core.Diagnostics;
using Botvisor.Core.Fleet;
using Botvisor.Core.Health;
using Botvisor.Core.Reconciliation;
using Botvisor.Core.State;
using Botvisor.Core.Storage;
using Botvisor.Core.Supervision;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Botvisor.Hosting;

/// <summary>
/// The daemon's life: open the store, end what a crashed predecessor left, start the fleet,
/// reload on SIGHUP, and on shutdown stop every bot at once before the process exits.
/// </summary>
public sealed partial class FleetDaemonService : IHostedService, IDisposable
{
    private readonly DaemonOptions _options;
    private readonly IFleetStore _store;
    private readonly StoreWriter _writer;
    private readonly FleetController _controller;
    private readonly FleetReconciler _reconciler;
    private readonly FleetStateService _state;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private readonly DaemonSignals _signals;
    private readonly Lock _stopLock = new();
    private Task? _stopped;
    private ITimer? _trim;

    /// <summary>How often, after a start or reload, the daemon looks whether the fleet has settled.</summary>
    private static readonly TimeSpan SettleCheck = TimeSpan.FromSeconds(1);

    /// <summary>The longest a fleet that does not settle (a bot that never gets ready) delays the collection.</summary>
    private static readonly TimeSpan TrimDeadline = TimeSpan.FromSeconds(10);

    private readonly IServer _server;
    private readonly NotifyRouter _notifyRouter;
    private readonly ResourceSampler _sampler;
    private NotifySocket? _notifySocket;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly Core.Cgroups.CgroupSupport _cgroups;
    private readonly EventPruner _pruner;
    private readonly SystemdNotifier _systemd;

    public FleetDaemonService(DaemonOptions options, IFleetStore store, StoreWriter writer, FleetController controller,
        FleetReconciler reconciler, FleetStateService state, TimeProvider time, DaemonClock clock, IServer server, IHostApplicationLifetime lifetime,
        NotifyRouter notifyRouter, ResourceSampler sampler, Core.Cgroups.CgroupSupport cgroups, EventPruner pruner, DaemonSignals signals, SystemdNotifier systemd, ILogger<FleetDaemonService> logger)
    {
        _pruner = pruner;
        _systemd = systemd;
        _signals = signals;
        _cgroups = cgroups;
        _notifyRouter = notifyRouter;
        _sampler = sampler;
        _server = server;
        _lifetime = lifetime;
        BotvisorMetrics.Observe(state, time, sampler.Get);
        SourceMetrics.Observe(() => controller.Sources);
        // A source's first list starts its bots after the start-up's trim: a large change gets one of its own.
        controller.SourceApplied += diff =>
        {
            if (diff.Added.Count + diff.Changed.Count + diff.Removed.Count >= LargeChange) ScheduleTrim();
        };
        _ = clock; // created with the daemon, so /status measures uptime from the start
        _options = options;
        _store = store;
        _writer = writer;
        _controller = controller;
        _reconciler = reconciler;
        _state = state;
        _time = time;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Log.Starting(_logger, Environment.ProcessId, _options.ConfigPath, _options.StateDirectory);
        await _store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        if (_store.Recovery is { } recovery)
        {
            string what = recovery.Foreign ? "is not Botvisor's database" : "is damaged";
            Log.StoreDamaged(_logger, recovery.Path, what, recovery.Reason, recovery.MovedTo);
            Record($"{recovery.Path} {what} ({recovery.Reason}); it was moved aside to {recovery.MovedTo} and this daemon started with an empty database");
        }
        _pruner.Start();
        Log.Cgroups(_logger, _cgroups.Description);

        await _controller.LoadStoredBotsAsync(cancellationToken).ConfigureAwait(false);
        _notifySocket = new NotifySocket(_options.NotifySocketPath, _options.NotifyAbstractName, _notifyRouter.Find);
        _sampler.Start(_options.SampleInterval);
        // Not cancelled by a shutdown during start-up: what a killed predecessor left must be ended either way.
        int ended = await LeftoverWorkers.EndAllAsync(_store, _options.WorkerMark, BotDefaults.StopTimeout, _time, _logger, CancellationToken.None).ConfigureAwait(false);
        if (ended > 0) Record($"ended {ended} worker(s) left behind by a previous daemon");

        var result = await _controller.ApplyFileAsync(_options.ConfigPath, "daemon", "daemon started").ConfigureAwait(false);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors) Log.FleetError(_logger, error.ToString());
            throw new FleetValidationException(result.Errors);
        }

        // Under nohup SIGHUP arrives ignored, and .NET would leave it so: reload would silently do nothing.
        if (_signals.SighupWasIgnored) Log.SighupReclaimed(_logger);
        Log.Started(_logger, result.Diff!.Added.Count);
        _signals.AttachReload(() => _ = ReloadAsync("SIGHUP")); // one that came during start-up reloads now
        ScheduleTrim();
        _lifetime.ApplicationStarted.Register(AnnounceApi);
    }

    private void AnnounceApi()
    {
        // Only the daemon's user may use the local socket: file permissions are its access control.
        File.SetUnixFileMode(_options.SocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var addresses = _server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses.Where(a => a.StartsWith("http://", StringComparison.Ordinal) && !a.StartsWith("http://unix:", StringComparison.Ordinal)))
        {
            Log.ApiListening(_logger, address, _options.SocketPath);
        }
        if (!_options.Security.RequiresToken)
        {
            Log.ApiWithoutAuth(_logger, _options.LoopbackReason ?? "no API token is configured", _options.SocketPath);
        }
        // The fleet has been started and the API answers: a Type=notify unit is now active.
        _systemd.Ready($"supervising {_reconciler.Supervisors.Count} bot(s)");
    }

    /// <summary>Re-reads the fleet file and applies only the difference; a bad file changes nothing.</summary>
    /// <param name="publish">In a cluster: make this node's file the cluster's fleet even if it did not change.</param>
    public async Task<FleetApplyResult> ReloadAsync(string actor, bool publish = false)
    {
        await _reloadGate.WaitAsync().ConfigureAwait(false);
        try
        {
            Log.ReloadRequested(_logger, actor, _options.ConfigPath);
            var result = await _controller.ApplyFileAsync(_options.ConfigPath, actor, "reload", publish).ConfigureAwait(false);
            if (result.Succeeded)
            {
                Log.ReloadApplied(_logger, result.Diff!.ToString());
                ScheduleTrim();
            }
            else
            {
                foreach (var error in result.Errors) Log.FleetError(_logger, error.ToString());
                Log.ReloadRejected(_logger, result.Errors.Count);
            }
            return result;
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    /// <summary>
    /// Starting a fleet allocates a lot that is garbage a moment later (75 MB for 1,000 bots), and the GC
    /// keeps the memory it grew into for reuse; a supervisor then idles for days. Once the fleet has
    /// settled (no bot pending or starting, checked every second; a bot that never gets ready does not
    /// hold it up beyond <see cref="TrimDeadline"/>), one aggressive collection compacts the heap and
    /// gives the rest back to the system.
    /// </summary>
    /// <summary>A source's change of this many bots or more is followed by a trim, as a start or a reload is.</summary>
    private const int LargeChange = 10;

    private readonly Lock _trimLock = new();

    private void ScheduleTrim()
    {
        lock (_trimLock) ScheduleTrimLocked();
    }

    private void ScheduleTrimLocked()
    {
        _trim?.Dispose();
        long scheduled = _time.GetTimestamp();
        ITimer? timer = null;
        timer = _time.CreateTimer(_ =>
        {
            if (!FleetSettled() && _time.GetElapsedTime(scheduled) < TrimDeadline) return;
            var once = Interlocked.Exchange(ref timer, null); // ticks may overlap; one of them collects
            if (once is null) return;
            once.Dispose();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            Log.Trimmed(_logger, GC.GetGCMemoryInfo().TotalCommittedBytes / (1024 * 1024));
        }, null, SettleCheck, SettleCheck);
        _trim = timer;
    }

    private bool FleetSettled()
    {
        foreach (var sup in _reconciler.Supervisors)
        {
            if (_state.Get(sup.Id)?.State is null or BotLifecycleState.Pending or BotLifecycleState.Starting or BotLifecycleState.Waiting) return false;
        }
        return true;
    }

    /// <summary>
    /// Stops every bot, once: the host calls this on shutdown, and <c>botvisor run</c> calls it too when
    /// start-up was interrupted (SIGTERM before the API was bound), so no worker outlives the daemon.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_stopLock) return _stopped ??= StopOnceAsync();
    }

    private async Task StopOnceAsync()
    {
        _trim?.Dispose();
        _signals.DetachReload();
        _systemd.Stopping($"stopping {_reconciler.Supervisors.Count} bot(s)");
        Log.Stopping(_logger, _reconciler.Supervisors.Count);
        // Every step runs even if one before it failed (a full disk must not leave the cgroup tree behind
        // or turn a clean stop into exit code 1): the bots are stopped, and what could not be done is logged.
        await StopStepAsync("stopping the remote sources' fetching", _controller.StopSourcesAsync).ConfigureAwait(false);
        await StopStepAsync("stopping the bots", () => _reconciler.StopAllAsync("daemon shutting down")).ConfigureAwait(false);
        Record("daemon stopped");
        await StopStepAsync("stopping the resource sampler", () => { _sampler.Dispose(); return Task.CompletedTask; }).ConfigureAwait(false);
        await StopStepAsync("closing the notify socket", () => { _notifySocket?.Dispose(); return Task.CompletedTask; }).ConfigureAwait(false);
        await StopStepAsync("removing the cgroup tree", () => { _cgroups.Tree?.Dispose(); return Task.CompletedTask; }).ConfigureAwait(false);
        await StopStepAsync("stopping the event log's pruning", () => _pruner.DisposeAsync().AsTask()).ConfigureAwait(false);
        await StopStepAsync("writing the last events", _writer.FlushAsync).ConfigureAwait(false);
        _systemd.Dispose(); // the watchdog pings end only when every bot has stopped
        Log.Stopped(_logger);
    }

    private async Task StopStepAsync(string step, Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.StopStepFailed(_logger, step, ex.Message, ex);
        }
    }

    private void Record(string message) => _writer.Record(new BotEvent
    {
        Time = _time.GetUtcNow(),
        Kind = BotEventKinds.Daemon,
        Message = message,
        Actor = "daemon",
    });

    public void Dispose()
    {
        _trim?.Dispose();
        _reloadGate.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEventIds.MemoryTrimmed, Level = LogLevel.Debug, Message = "Fleet settled: heap compacted, {CommittedMiB} MiB committed")]
        public static partial void Trimmed(ILogger logger, long committedMiB);

        [LoggerMessage(EventId = LogEventIds.CgroupSupport, Level = LogLevel.Information, Message = "Resource limits: {Description}")]
        public static partial void Cgroups(ILogger logger, string description);

        [LoggerMessage(EventId = LogEventIds.DaemonStarting, Level = LogLevel.Information, Message = "Botvisor {Pid} starting: fleet {ConfigPath}, state {StateDirectory}")]
        public static partial void Starting(ILogger logger, int pid, string configPath, string stateDirectory);

        [LoggerMessage(EventId = LogEventIds.DaemonStarted, Level = LogLevel.Information, Message = "Botvisor started with {Count} bot(s); SIGHUP reloads the fleet file, SIGTERM or Ctrl-C stops")]
        public static partial void Started(ILogger logger, int count);

        [LoggerMessage(EventId = LogEventIds.SighupReclaimed, Level = LogLevel.Information, Message = "SIGHUP was ignored when Botvisor started (nohup?); it is taken back: SIGHUP reloads the fleet file")]
        public static partial void SighupReclaimed(ILogger logger);

        [LoggerMessage(EventId = LogEventIds.DaemonStopping, Level = LogLevel.Information, Message = "Stopping {Count} bot(s)")]
        public static partial void Stopping(ILogger logger, int count);

        [LoggerMessage(EventId = LogEventIds.DaemonStopped, Level = LogLevel.Information, Message = "All bots stopped")]
        public static partial void Stopped(ILogger logger);

        [LoggerMessage(EventId = LogEventIds.ReloadRequested, Level = LogLevel.Information, Message = "Reload requested by {Actor}: reading {ConfigPath}")]
        public static partial void ReloadRequested(ILogger logger, string actor, string configPath);

        [LoggerMessage(EventId = LogEventIds.ReloadApplied, Level = LogLevel.Information, Message = "Reload applied: {Diff}")]
        public static partial void ReloadApplied(ILogger logger, string diff);

        [LoggerMessage(EventId = LogEventIds.ReloadRejected, Level = LogLevel.Error, Message = "Reload rejected: {Count} error(s); the running fleet is unchanged")]
        public static partial void ReloadRejected(ILogger logger, int count);

        [LoggerMessage(EventId = LogEventIds.ApiListening, Level = LogLevel.Information, Message = "API listening on {Address} and on the local socket {SocketPath}")]
        public static partial void ApiListening(ILogger logger, string address, string socketPath);

        [LoggerMessage(EventId = LogEventIds.ApiWithoutAuth, Level = LogLevel.Warning, Message = "The API has no bearer token ({Reason}): it listens on loopback only, where it answers only /health (and /metrics when public); control is on the local socket {SocketPath}; set BOTVISOR_API_TOKEN or api.tokens to use the API over TCP")]
        public static partial void ApiWithoutAuth(ILogger logger, string reason, string socketPath);

        [LoggerMessage(EventId = LogEventIds.StoreDamaged, Level = LogLevel.Error,
            Message = "The database {Path} {What} ({Reason}). It was moved aside to {MovedTo} (with its -wal and -shm) and Botvisor starts with an empty database and the fleet file's bots. Not carried over: the bots added through the API and the event history (both are in the moved file), and the records of workers a previous daemon left running (such workers are not found and ended)")]
        public static partial void StoreDamaged(ILogger logger, string path, string what, string reason, string movedTo);

        [LoggerMessage(EventId = LogEventIds.DaemonStopStepFailed, Level = LogLevel.Error, Message = "Shutdown: {Step} failed: {Reason}; the shutdown goes on")]
        public static partial void StopStepFailed(ILogger logger, string step, string reason, Exception exception);

        [LoggerMessage(EventId = LogEventIds.FleetError, Level = LogLevel.Error, Message = "{Error}")]
        public static partial void FleetError(ILogger logger, string error);
    }
}
