using System.Buffers;
using System.Text;

namespace Botvisor.Core.Logs;

/// <summary>
/// One output stream of a worker, fed by the <see cref="OutputReader"/>: splits it into lines, masks
/// tokens (the fleet's, and the run's gateway placeholder), stamps and stores them. The reader never stops reading, so a noisy worker is never blocked
/// by the daemon; memory stays flat because each chunk is written out before the next is read. An idle
/// stream holds no buffer. Lines longer than 16 KiB are split.
/// </summary>
/// <remarks>Called by one thread at a time (the reader's).</remarks>
public sealed class OutputPump
{
    public const int MaxLineBytes = 16 * 1024;

    private readonly LogStream _stream;
    private readonly BotLog _log;
    private readonly TokenMasker _masker;
    private readonly TimeProvider _time;
    private readonly Action<string>? _observer;
    private readonly string? _placeholder;
    private byte[]? _partial;
    private int _partialLength;

    /// <summary>The bot whose output this is.</summary>
    public string BotId => _log.BotId;

    /// <summary>Set by the reader once a failure of this stream has been logged.</summary>
    internal bool FailureReported { get; set; }

    /// <param name="observer">Sees every line (masked), on the reader's thread; must be quick.</param>
    /// <param name="placeholder">The worker run's gateway placeholder token, masked like the fleet's tokens.</param>
    public OutputPump(LogStream stream, BotLog log, TokenMasker masker, TimeProvider time, Action<string>? observer = null, string? placeholder = null)
    {
        _observer = observer;
        _placeholder = placeholder;
        _stream = stream;
        _log = log;
        _masker = masker;
        _time = time;
    }

    /// <summary>Takes one chunk of output: complete lines are written, the rest waits for its newline.</summary>
    public void Consume(ReadOnlySpan<byte> data)
    {
        var now = _time.GetUtcNow();
        int start = 0;
        int newline;
        while ((newline = data[start..].IndexOf((byte)'\n')) >= 0)
        {
            Emit(now, data.Slice(start, newline));
            start += newline + 1;
        }
        if (start < data.Length) Keep(now, data[start..]);
        _log.Flush();
    }

    /// <summary>The stream has ended: a last line without its newline is written too.</summary>
    public void Complete()
    {
        if (_partialLength > 0) Emit(_time.GetUtcNow(), default);
        if (_partial is not null) ArrayPool<byte>.Shared.Return(_partial);
        _partial = null;
        _log.Flush();
    }

    /// <summary>Holds the start of a line until its newline comes; a line that outgrows the limit is written in pieces.</summary>
    private void Keep(DateTimeOffset now, ReadOnlySpan<byte> bytes)
    {
        var partial = _partial ??= ArrayPool<byte>.Shared.Rent(MaxLineBytes);
        while (_partialLength + bytes.Length > MaxLineBytes)
        {
            int room = MaxLineBytes - _partialLength;
            bytes[..room].CopyTo(partial.AsSpan(_partialLength));
            Write(now, partial.AsSpan(0, MaxLineBytes));
            _partialLength = 0;
            bytes = bytes[room..];
        }
        bytes.CopyTo(partial.AsSpan(_partialLength));
        _partialLength += bytes.Length;
    }

    /// <summary>Writes a complete line: what is held, then <paramref name="rest"/>.</summary>
    private void Emit(DateTimeOffset now, ReadOnlySpan<byte> rest)
    {
        if (_partialLength > 0)
        {
            Keep(now, rest);
            if (_partialLength > 0) Write(now, _partial.AsSpan(0, _partialLength));
            _partialLength = 0;
            return;
        }
        while (rest.Length > MaxLineBytes)
        {
            Write(now, rest[..MaxLineBytes]);
            rest = rest[MaxLineBytes..];
        }
        Write(now, rest);
    }

    private void Write(DateTimeOffset now, ReadOnlySpan<byte> bytes)
    {
        if (!bytes.IsEmpty && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        var text = _masker.Mask(Encoding.UTF8.GetString(bytes));
        if (_placeholder is not null) text = Gateway.PlaceholderToken.MaskIn(text, _placeholder);
        _log.Append(now, _stream, text);
        _observer?.Invoke(text);
    }
}
