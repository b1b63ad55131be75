using System.Text;

namespace Botvisor.Core.Logs;

/// <summary>
/// A bot's log file: <c>NAME.log</c>, rotated to <c>NAME.log.1</c> … <c>NAME.log.(N-1)</c> when it
/// reaches the size limit, as logrotate and supervisord do. Writes are buffered and flushed after
/// each batch the reader hands over.
/// </summary>
public sealed class RotatingLogFile : IDisposable
{
    private readonly string _path;
    private readonly object _gate = new();
    private long _maxSize;
    private int _maxFiles;
    private FileStream? _stream;
    private long _size;

    public RotatingLogFile(string path, long maxSize, int maxFiles)
    {
        _path = path;
        _maxSize = maxSize;
        _maxFiles = Math.Max(1, maxFiles);
        // A bot's output may hold secrets it printed: only the daemon's user reads it.
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Path => _path;

    public void Configure(long maxSize, int maxFiles)
    {
        lock (_gate)
        {
            _maxSize = maxSize;
            _maxFiles = Math.Max(1, maxFiles);
        }
    }

    public void Write(LogLine line)
    {
        int max = Encoding.UTF8.GetMaxByteCount(line.Text.Length) + 48;
        byte[]? rented = null;
        Span<byte> buffer = max <= 1024 ? stackalloc byte[1024] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int n = Format(line, buffer);
            lock (_gate)
            {
                if (_stream is null) Open();
                if (_size + n > _maxSize && _size > 0) Rotate();
                _stream!.Write(buffer[..n]);
                _size += n;
            }
        }
        finally
        {
            if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public void Flush()
    {
        lock (_gate) _stream?.Flush();
    }

    /// <summary>The last time stamp, formatted: the lines of one chunk of output share it. Replaced whole
    /// (the stdout and stderr pumps may format at once), so a reader never sees a torn pair.</summary>
    private Stamp _stamp = new(-1, []);

    private sealed record Stamp(long Ticks, byte[] Text);

    private int Format(LogLine line, Span<byte> buffer)
    {
        var stamp = _stamp;
        if (stamp.Ticks != line.Time.UtcTicks)
        {
            var text = new byte[24];
            line.Time.UtcDateTime.TryFormat(text, out int w, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
            _stamp = stamp = new Stamp(line.Time.UtcTicks, text[..w]);
        }
        stamp.Text.CopyTo(buffer);
        int n = stamp.Text.Length;
        buffer[n++] = (byte)' ';
        n += Encoding.UTF8.GetBytes(line.Stream == LogStream.Stdout ? "stdout " : "stderr ", buffer[n..]);
        n += Encoding.UTF8.GetBytes(line.Text, buffer[n..]);
        buffer[n++] = (byte)'\n';
        return n;
    }

    private void Open()
    {
        _stream = new FileStream(_path, new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 16 * 1024,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        _size = _stream.Length;
    }

    private void Rotate()
    {
        _stream!.Dispose();
        _stream = null;
        // NAME.log.(N-1) falls off; the others move up one; NAME.log becomes NAME.log.1.
        for (int i = _maxFiles - 1; i >= 1; i--)
        {
            var from = i == 1 ? _path : $"{_path}.{i - 1}";
            var to = $"{_path}.{i}";
            if (File.Exists(from)) File.Move(from, to, overwrite: true);
        }
        if (_maxFiles == 1) File.Delete(_path);
        Open();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            try
            {
                _stream?.Dispose();
            }
            catch (IOException)
            {
                // The last buffered lines could not be written (a full disk): the failed writes were reported
                // when they happened (OutputFailed), and the file is closed all the same. Throwing here would
                // end the supervisor's loop, and a stopping daemon's shutdown, with an exception.
            }
            _stream = null;
        }
    }
}
