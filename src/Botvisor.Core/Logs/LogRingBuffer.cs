namespace Botvisor.Core.Logs;

/// <summary>
/// The most recent lines of one bot, fixed capacity, oldest dropped first. Storage grows with use,
/// so a thousand quiet bots do not hold a thousand full buffers.
/// </summary>
public sealed class LogRingBuffer
{
    private readonly object _gate = new();
    private readonly int _capacity;
    private LogLine[] _lines = [];
    private long _count;

    public LogRingBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Capacity => _capacity;

    public void Add(LogLine line)
    {
        lock (_gate)
        {
            if (_count < _capacity && _count == _lines.Length)
            {
                Array.Resize(ref _lines, (int)Math.Min(_capacity, Math.Max(16, _lines.Length * 2)));
            }
            _lines[_count % _capacity] = line;
            _count++;
        }
    }

    /// <summary>The last <paramref name="max"/> lines, oldest first.</summary>
    public IReadOnlyList<LogLine> Tail(int max)
    {
        lock (_gate)
        {
            long available = Math.Min(_count, _capacity);
            long take = Math.Min(available, Math.Max(0, max));
            var result = new List<LogLine>((int)take);
            for (long i = _count - take; i < _count; i++) result.Add(_lines[i % _capacity]);
            return result;
        }
    }
}
