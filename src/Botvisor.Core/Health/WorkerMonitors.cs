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
/// ends: the HTTP liveness probe (scheduled again after each probe, so probes never overlap) and the
/// periodic token check. They run on the fleet's one <see cref="CheckScheduler"/>, never in a
/// supervisor's loop, and only report; the supervisor's machine decides.
/// </summary>
public sealed class WorkerMonitors : IDisposable
{
    private readonly BotSpec _spec;
    private readonly TimeProvider _time;
    private readonly CheckScheduler _scheduler;
    private readonly IHttpProbe? _probe;
    private readonly ITelegramApi? _telegram;
    private readonly IMonitorSink _sink;
    private readonly Lock _lock = new();

    /// <summary>Cancelled when the worker ends: a probe or token check in flight is abandoned.</summary>
    private readonly CancellationTokenSource _ended = new();
    private IDisposable? _nextProbe;
    private IDisposable? _nextTokenCheck;
    private int _probeFailures;
    private bool _disposed;

    public WorkerMonitors(BotSpec spec, TimeProvider time, CheckScheduler scheduler, IHttpProbe? probe, ITelegramApi? telegram, IMonitorSink sink)
    {
        _spec = spec;
        _time = time;
        _scheduler = scheduler;
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
            ArmTokenCheck();
        }
    }

    private void ArmProbe(TimeSpan due)
    {
        _nextProbe?.Dispose();
        _nextProbe = _scheduler.Schedule(due, () => _ = ProbeAsync());
    }

    private void ArmTokenCheck()
    {
        if (_spec is not { Token: not null, TelegramCheckInterval: { } every } || _telegram is null) return;
        _nextTokenCheck?.Dispose();
        _nextTokenCheck = _scheduler.Schedule(every, () => _ = CheckTokenAsync());
    }

    private async Task ProbeAsync()
    {
        var probe = _spec.HttpProbe!;
        if (Token() is not { } token) return;
        ProbeResult result;
        try
        {
            result = await _probe!.ProbeAsync(probe.Url, probe.Timeout, token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            result = new ProbeResult(false, ex.Message);
        }
        // Decided under the lock, reported after it: a report may run a whole supervisor step inline.
        Action report;
        lock (_lock)
        {
            if (_disposed) return;
            if (result.Success)
            {
                _probeFailures = 0;
                report = () => _sink.Checked(this, "http", true, result.Message);
                ArmProbe(probe.Interval);
            }
            else if (++_probeFailures >= probe.Failures)
            {
                var reason = $"liveness probe {probe.Url} failed {_probeFailures} times: {result.Message}";
                report = () => _sink.Fault(this, "http", reason); // the worker is being ended; no more probes
            }
            else
            {
                var message = $"{result.Message} ({_probeFailures} of {probe.Failures})";
                report = () => _sink.Checked(this, "http", false, message);
                ArmProbe(probe.Interval);
            }
        }
        report();
    }

    private async Task CheckTokenAsync()
    {
        if (Token() is not { } token) return;
        TelegramResult<TelegramBotInfo> result;
        try
        {
            result = await TokenPreflight.WithRetryAfterAsync(() => _telegram!.GetMeAsync(_spec.TelegramApiBaseUrl, _spec.Token!, token), _time, token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            result = TelegramResult<TelegramBotInfo>.Fail(new TelegramFailure(TelegramFailureKind.Unreachable, null, "the Bot API could not be reached"));
        }
        lock (_lock)
        {
            if (_disposed) return;
            if (result.Failure is not { Kind: TelegramFailureKind.Rejected })
            {
                ArmTokenCheck(); // the network, not the token, when it failed otherwise: the next check will tell
                return;
            }
        }
        var failure = result.Failure;
        _sink.TokenRejected(this, $"token rejected by Telegram while running ({failure})",
            $"token rejected by Telegram while running ({failure}); not restarting: fix the token, then start the bot");
    }

    /// <summary>The token that ends with the worker; null once it has (a check that came due just then does nothing).</summary>
    private CancellationToken? Token()
    {
        lock (_lock) return _disposed ? null : _ended.Token;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            _nextProbe?.Dispose();
            _nextTokenCheck?.Dispose();
        }
        _ended.Cancel();
        _ended.Dispose();
    }
}
