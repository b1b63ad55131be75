namespace Botvisor.Core.Health;

/// <summary>
/// One timer for every check of the fleet (liveness probes, periodic token checks): work is queued
/// by due time, and a single <see cref="ITimer"/> is armed for the earliest. A thousand bots with a probe
/// each cost one timer, not a thousand. The work runs on the timer's thread and must not block (it
/// starts its I/O and returns).
/// </summary>
public sealed class CheckScheduler : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly PriorityQueue<Entry, long> _queue = new();
    private readonly ITimer _timer;
    private long _armedFor = long.MaxValue;
    private bool _disposed;

    public CheckScheduler(TimeProvider time)
    {
        _time = time;
        _timer = time.CreateTimer(static s => ((CheckScheduler)s!).RunDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Queued entries (for tests).</summary>
    public int Pending
    {
        get
        {
            lock (_lock) return _queue.Count;
        }
    }

    /// <summary>Runs <paramref name="work"/> once, after <paramref name="delay"/>; disposing the handle cancels it.</summary>
    public IDisposable Schedule(TimeSpan delay, Action work)
    {
        var entry = new Entry(work);
        long due = _time.GetTimestamp() + (long)(Math.Max(0, delay.TotalSeconds) * _time.TimestampFrequency);
        lock (_lock)
        {
            if (!_disposed)
            {
                _queue.Enqueue(entry, due);
                if (due < _armedFor) Arm(due);
            }
        }
        return new Cancellation(this, entry);
    }

    private void Arm(long due)
    {
        _armedFor = due;
        var wait = TimeSpan.FromSeconds(Math.Max(0, due - _time.GetTimestamp()) / (double)_time.TimestampFrequency);
        _timer.Change(wait, Timeout.InfiniteTimeSpan);
    }

    private void RunDue()
    {
        var due = new List<Entry>();
        lock (_lock)
        {
            if (_disposed) return;
            long now = _time.GetTimestamp();
            while (_queue.TryPeek(out var entry, out long at) && at <= now)
            {
                _queue.Dequeue();
                if (!entry.Cancelled) due.Add(entry);
            }
            _armedFor = long.MaxValue;
            if (_queue.TryPeek(out _, out long next)) Arm(next);
        }
        foreach (var entry in due) entry.Run();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _queue.Clear();
        }
        _timer.Dispose();
    }

    private sealed class Entry(Action work)
    {
        private volatile bool _cancelled;

        public bool Cancelled => _cancelled;

        public void Run()
        {
            if (!_cancelled) work();
        }

        public void Cancel() => _cancelled = true;
    }

    /// <summary>Takes a cancelled entry out of the queue at once, so what it holds (a bot's monitors) is not kept until it would have been due.</summary>
    private void Remove(Entry entry)
    {
        lock (_lock) _queue.Remove(entry, out _, out _, ReferenceEqualityComparer.Instance);
    }

    private sealed class Cancellation(CheckScheduler scheduler, Entry entry) : IDisposable
    {
        public void Dispose()
        {
            entry.Cancel();
            scheduler.Remove(entry);
        }
    }
}
