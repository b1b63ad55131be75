using Botvisor.Core.Fleet;
using Botvisor.Core.Telegram;

namespace Botvisor.Core.Health;

/// <summary>What the monitors of one worker report to its supervisor.</summary>
public interface IMonitorSink
{
    /// <summary>A check's result that changes no state (a probe that passed, one failure below the threshold).</summary>
    void Checked(WorkerMonitors from, string check, bool healthy, string message);

    /// <summary>The worker is broken: end it, then apply the restart policy.</summary>
    void Fault(WorkerMonitors from, string check, string reason);

    /// <summary>Telegram rejected the token while the worker ran.</summary>
    void TokenRejected(WorkerMonitors from, string reason, string failReason);
}

/// <summary>
/// The checks that watch a running worker from outside, started when it is up and disposed when it
/// ends: the HTTP liveness probe (a one-shot timer re-armed after each probe, so probes never overlap)
/// and the periodic token check. They only report; the supervisor's machine decides.
/// </summary>
public sealed class WorkerMonitors : IDisposable
{
    private readonly BotSpec _spec;
    private readonly TimeProvider _time;
    private readonly IHttpProbe? _probe;
    private readonly ITelegramApi? _telegram;
    private readonly IMonitorSink _sink;
    private readonly Lock _lock = new();
    private ITimer? _probeTimer;
    private ITimer? _tokenTimer;
    private int _probeFailures;
    private bool _disposed;

    public WorkerMonitors(BotSpec spec, TimeProvider time, IHttpProbe? probe, ITelegramApi? telegram, IMonitorSink sink)
    {
        _spec = spec;
        _time = time;
        _probe = probe;
        _telegram = telegram;
        _sink = sink;
    }

    public void Start()
    {
        lock (_lock)
        {
            if (_spec.HttpProbe is { } probe && _probe is not null)
            {
                ArmProbe(probe.InitialDelay > TimeSpan.Zero ? probe.InitialDelay : probe.Interval);
            }
            if (_spec is { Token: not null, TelegramCheckInterval: { } every } && _telegram is not null)
            {
                _tokenTimer = _time.CreateTimer(static s => _ = ((WorkerMonitors)s!).CheckTokenAsync(), this, every, every);
            }
        }
    }

    private void ArmProbe(TimeSpan due)
    {
        _probeTimer?.Dispose();
        _probeTimer = _time.CreateTimer(static s => _ = ((WorkerMonitors)s!).ProbeAsync(), this, due, Timeout.InfiniteTimeSpan);
    }

    private async Task ProbeAsync()
    {
        var probe = _spec.HttpProbe!;
        ProbeResult result;
        try
        {
            result = await _probe!.ProbeAsync(probe.Url, probe.Timeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            result = new ProbeResult(false, ex.Message);
        }
        lock (_lock)
        {
            if (_disposed) return;
            if (result.Success)
            {
                _probeFailures = 0;
                _sink.Checked(this, "http", true, result.Message);
            }
            else if (++_probeFailures >= probe.Failures)
            {
                _sink.Fault(this, "http", $"liveness probe {probe.Url} failed {_probeFailures} times: {result.Message}");
                return; // the worker is being ended; no more probes
            }
            else
            {
                _sink.Checked(this, "http", false, $"{result.Message} ({_probeFailures} of {probe.Failures})");
            }
            ArmProbe(probe.Interval);
        }
    }

    private async Task CheckTokenAsync()
    {
        TelegramResult<TelegramBotInfo> result;
        try
        {
            result = await TokenPreflight.WithRetryAfterAsync(() => _telegram!.GetMeAsync(_spec.TelegramApiBaseUrl, _spec.Token!, CancellationToken.None), _time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            return; // the network, not the token: the next check will tell
        }
        if (result.Failure is not { Kind: TelegramFailureKind.Rejected } failure) return;
        lock (_lock)
        {
            if (_disposed) return;
            _sink.TokenRejected(this, $"token rejected by Telegram while running ({failure})",
                $"token rejected by Telegram while running ({failure}); not restarting: fix the token, then start the bot");
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _probeTimer?.Dispose();
            _tokenTimer?.Dispose();
        }
    }
}
