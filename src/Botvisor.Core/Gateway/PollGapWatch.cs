using Botvisor.Core.Health;

namespace Botvisor.Core.Gateway;

/// <summary>
/// Watches one run's polling on the fleet's <see cref="CheckScheduler"/> (one timer for every check):
/// looks when the gap could first be exceeded, and again then, and reports once when it is.
/// </summary>
internal sealed class PollGapWatch : IDisposable
{
    private readonly GatewayRun _run;
    private readonly TimeSpan _maxGap;
    private readonly CheckScheduler _checks;
    private readonly Action<string> _stopped;
    private readonly Lock _lock = new();
    private IDisposable? _next;
    private bool _disposed;

    public PollGapWatch(GatewayRun run, TimeSpan maxGap, CheckScheduler checks, Action<string> stopped)
    {
        _run = run;
        _maxGap = maxGap;
        _checks = checks;
        _stopped = stopped;
        Arm(maxGap);
    }

    private void Arm(TimeSpan after)
    {
        lock (_lock)
        {
            if (!_disposed) _next = _checks.Schedule(after, Look);
        }
    }

    private void Look()
    {
        var (since, inFlight) = _run.PollActivity;
        var (stopped, again) = PollGap.Check(since, inFlight, _maxGap);
        if (stopped is null)
        {
            Arm(again);
            return;
        }
        lock (_lock)
        {
            if (_disposed) return;
        }
        _stopped(stopped);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _next?.Dispose();
        }
    }
}
