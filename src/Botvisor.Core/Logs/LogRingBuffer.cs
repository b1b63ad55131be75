namespace Botvisor.Core.Logs;

/// <summary>The most recent lines of one bot, fixed capacity, oldest dropped first.</summary>
public sealed class LogRingBuffer
{
    private readonly LogLine?[] _lines;
    private long _count;

    public LogRingBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _lines = new LogLine?[capacity];
    }

    public int Capacity => _lines.Length;

    public void Add(LogLine line)
    {
        lock (_lines)
        {
            _lines[_count % _lines.Length] = line;
            _count++;
        }
    }

    /// <summary>The last <paramref name="max"/> lines, oldest first.</summary>
    public IReadOnlyList<LogLine> Tail(int max)
    {
        lock (_lines)
        {
            long available = Math.Min(_count, _lines.Length);
            long take = Math.Min(available, Math.Max(0, max));
            var result = new List<LogLine>((int)take);
            for (long i = _count - take; i < _count; i++) result.Add(_lines[i % _lines.Length]!);
            return result;
        }
    }
}
