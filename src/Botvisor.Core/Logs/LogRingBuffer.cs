namespace Botvisor.Core.Logs;

/// <summary>
/// The most recent lines of one bot, oldest dropped first, bounded twice: at most <see cref="Capacity"/>
/// lines and at most <see cref="MaxBytes"/> of memory (estimated per line as its text's UTF-16 bytes plus
/// <see cref="LineOverhead"/>). The line limit alone let one bot hold a thousand 16 KiB lines, 32 MiB;
/// the byte limit keeps that at <see cref="DefaultMaxBytes"/> while a thousand lines of ~100 characters
/// still fit. Storage grows with use, so a thousand quiet bots do not hold a thousand full buffers.
/// </summary>
public sealed class LogRingBuffer
{
    /// <summary>The memory one bot's ring may hold.</summary>
    public const long DefaultMaxBytes = 256 * 1024;

    /// <summary>What a line costs beside its characters: the <see cref="LogLine"/> and the string's header.</summary>
    public const int LineOverhead = 48;

    private readonly object _gate = new();
    private readonly int _capacity;
    private readonly long _maxBytes;
    private LogLine[] _lines = [];
    private int _head;
    private int _size;
    private long _bytes;

    public LogRingBuffer(int capacity, long maxBytes = DefaultMaxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        _capacity = capacity;
        _maxBytes = maxBytes;
    }

    public int Capacity => _capacity;

    public long MaxBytes => _maxBytes;

    /// <summary>Lines held now.</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _size;
        }
    }

    /// <summary>The estimated memory of the lines held now.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate) return _bytes;
        }
    }

    public static long Cost(LogLine line) => LineOverhead + 2L * line.Text.Length;

    public void Add(LogLine line)
    {
        long cost = Cost(line);
        lock (_gate)
        {
            // The newest line is always kept, even one over the whole budget on its own.
            while (_size > 0 && (_size == _capacity || _bytes + cost > _maxBytes)) DropOldest();
            if (_size == _lines.Length) Grow();
            _lines[(_head + _size) % _lines.Length] = line;
            _size++;
            _bytes += cost;
        }
    }

    private void DropOldest()
    {
        _bytes -= Cost(_lines[_head]);
        _lines[_head] = null!;
        _head = (_head + 1) % _lines.Length;
        _size--;
    }

    private void Grow()
    {
        var next = new LogLine[Math.Min(_capacity, Math.Max(16, _lines.Length * 2))];
        for (int i = 0; i < _size; i++) next[i] = _lines[(_head + i) % _lines.Length];
        _lines = next;
        _head = 0;
    }

    /// <summary>The last <paramref name="max"/> lines, oldest first.</summary>
    public IReadOnlyList<LogLine> Tail(int max)
    {
        lock (_gate)
        {
            int take = Math.Min(_size, Math.Max(0, max));
            var result = new List<LogLine>(take);
            for (int i = _size - take; i < _size; i++) result.Add(_lines[(_head + i) % _lines.Length]);
            return result;
        }
    }
}
