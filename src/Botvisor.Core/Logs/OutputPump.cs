using System.Buffers;
using System.Net.Sockets;
using System.Text;

namespace Botvisor.Core.Logs;

/// <summary>
/// Reads one output stream of a worker until it closes: splits it into lines, masks tokens, stamps
/// and stores them. It waits for data with a zero-byte receive, so an idle worker holds no buffer,
/// and it never stops reading, so a noisy worker is never blocked by the daemon; memory stays flat
/// because each chunk is written out before the next is read. Lines longer than 16 KiB are split.
/// </summary>
public sealed class OutputPump
{
    public const int MaxLineBytes = 16 * 1024;
    private const int ChunkSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly LogStream _stream;
    private readonly BotLog _log;
    private readonly TokenMasker _masker;
    private readonly TimeProvider _time;

    private readonly Action<string>? _observer;

    /// <param name="observer">Sees every line (masked), on the pump's thread; must be quick.</param>
    public OutputPump(Socket socket, LogStream stream, BotLog log, TokenMasker masker, TimeProvider time, Action<string>? observer = null)
    {
        _observer = observer;
        _socket = socket;
        _stream = stream;
        _log = log;
        _masker = masker;
        _time = time;
    }

    public async Task RunAsync()
    {
        byte[]? partial = null;
        int partialLength = 0;
        try
        {
            bool more = false;
            while (true)
            {
                // Idle: wait without a buffer. Busy (the last read filled the chunk): read straight on.
                if (!more) await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
                try
                {
                    int n = await _socket.ReceiveAsync(chunk.AsMemory(0, ChunkSize), SocketFlags.None).ConfigureAwait(false);
                    if (n == 0) break;
                    more = n == ChunkSize;
                    var now = _time.GetUtcNow();
                    var data = chunk.AsSpan(0, n);
                    int start = 0;
                    int newline;
                    while ((newline = data[start..].IndexOf((byte)'\n')) >= 0)
                    {
                        Emit(now, ref partial, ref partialLength, data.Slice(start, newline));
                        start += newline + 1;
                    }
                    if (start < n) Keep(now, ref partial, ref partialLength, data[start..]);
                    _log.Flush();
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                }
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            if (partialLength > 0) Emit(_time.GetUtcNow(), ref partial, ref partialLength, default);
            if (partial is not null) ArrayPool<byte>.Shared.Return(partial);
            _log.Flush();
            _socket.Dispose();
        }
    }

    private void Keep(DateTimeOffset now, ref byte[]? partial, ref int partialLength, ReadOnlySpan<byte> bytes)
    {
        partial ??= ArrayPool<byte>.Shared.Rent(MaxLineBytes);
        while (partialLength + bytes.Length > MaxLineBytes)
        {
            int room = MaxLineBytes - partialLength;
            bytes[..room].CopyTo(partial.AsSpan(partialLength));
            Write(now, partial.AsSpan(0, MaxLineBytes));
            partialLength = 0;
            bytes = bytes[room..];
        }
        bytes.CopyTo(partial.AsSpan(partialLength));
        partialLength += bytes.Length;
    }

    private void Emit(DateTimeOffset now, ref byte[]? partial, ref int partialLength, ReadOnlySpan<byte> rest)
    {
        if (partialLength > 0)
        {
            Keep(now, ref partial, ref partialLength, rest);
            if (partialLength > 0) Write(now, partial.AsSpan(0, partialLength));
            partialLength = 0;
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
        _log.Append(now, _stream, text);
        _observer?.Invoke(text);
    }
}
