using System.Runtime.InteropServices;
using Botvisor.Core.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Botvisor.Core.Logs;

/// <summary>
/// One thread reads the output of every worker: an epoll set over the daemon's ends of the workers'
/// stdout and stderr sockets, as supervisord and s6-log do with one loop. A quiet worker costs a
/// registration (no thread, no pending async operation, no buffer); a busy one is read in 64 KiB
/// chunks straight into its <see cref="OutputPump"/>, without a hop through the thread pool.
/// Fairness: at most <see cref="ChunksPerWake"/> chunks per descriptor per wake; epoll is level
/// triggered, so what is left is reported again on the next wait.
/// </summary>
/// <remarks>
/// The reader owns the descriptors it is given and closes each once its stream ends (the worker and
/// everything that inherited its output have closed it) or the reader is disposed. A pump runs on the
/// reader's thread: a log file that blocks delays every bot's output, not the workers themselves
/// until their socket buffers fill.
/// </remarks>
public sealed unsafe partial class OutputReader : IDisposable
{
    private const int ChunkSize = 64 * 1024;
    private const int ChunksPerWake = 4;
    private const int MaxEvents = 64;
    private const long WakeKey = 0;

    private readonly object _gate = new();
    private readonly Dictionary<long, (int Fd, OutputPump Pump)> _streams = new();
    private readonly int _epoll;
    private readonly int _wake;
    private readonly Thread _thread;
    private readonly ILogger _logger;
    private long _nextKey = WakeKey + 1;
    private volatile bool _stopping;

    public OutputReader(ILogger<OutputReader>? logger = null)
    {
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _epoll = LibC.epoll_create1(LibC.EPOLL_CLOEXEC);
        if (_epoll < 0) throw new IOException("epoll_create1 failed: " + LibC.ErrorText(Marshal.GetLastPInvokeError()));
        _wake = LibC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (_wake < 0)
        {
            int e = Marshal.GetLastPInvokeError();
            LibC.close(_epoll);
            throw new IOException("eventfd failed: " + LibC.ErrorText(e));
        }
        Register(_wake, WakeKey);
        _thread = new Thread(Run) { IsBackground = true, Name = "botvisor-output" };
        _thread.Start();
    }

    /// <summary>Streams being read.</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _streams.Count;
        }
    }

    /// <summary>Reads <paramref name="fd"/> (a stream socket, now owned by the reader) into <paramref name="pump"/> until it ends.</summary>
    public void Add(int fd, OutputPump pump)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                LibC.close(fd);
                Complete(pump);
                return;
            }
            long key = _nextKey++;
            _streams[key] = (fd, pump);
            if (!Register(fd, key))
            {
                _streams.Remove(key);
                LibC.close(fd);
                Complete(pump);
            }
        }
    }

    private bool Register(int fd, long key)
    {
        byte* ev = stackalloc byte[16];
        *(uint*)ev = LibC.EPOLLIN;
        *(long*)(ev + LibC.EpollDataOffset) = key;
        return LibC.epoll_ctl(_epoll, LibC.EPOLL_CTL_ADD, fd, ev) == 0;
    }

    private void Run()
    {
        byte* events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * LibC.EpollEventSize));
        byte[] chunk = GC.AllocateUninitializedArray<byte>(ChunkSize, pinned: true);
        try
        {
            while (!_stopping)
            {
                int n = LibC.epoll_wait(_epoll, events, MaxEvents, -1);
                if (n < 0) continue; // EINTR
                for (int i = 0; i < n && !_stopping; i++)
                {
                    byte* ev = events + i * LibC.EpollEventSize;
                    long key = *(long*)(ev + LibC.EpollDataOffset);
                    if (key == WakeKey) continue;
                    (int Fd, OutputPump Pump) stream;
                    lock (_gate)
                    {
                        if (!_streams.TryGetValue(key, out stream)) continue;
                    }
                    if (!Drain(stream.Fd, stream.Pump, chunk, ChunksPerWake)) End(key);
                }
            }
        }
        finally
        {
            NativeMemory.Free(events);
        }
    }

    /// <summary>Reads what is there, up to <paramref name="maxChunks"/> chunks; false once the stream has ended.</summary>
    private bool Drain(int fd, OutputPump pump, byte[] chunk, int maxChunks)
    {
        fixed (byte* buffer = chunk)
        {
            for (int i = 0; i < maxChunks; i++)
            {
                nint n = LibC.recv(fd, buffer, ChunkSize, LibC.MSG_DONTWAIT);
                if (n > 0)
                {
                    Consume(pump, chunk.AsSpan(0, (int)n));
                    if (n < ChunkSize) return true;
                    continue;
                }
                if (n == 0) return false;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EINTR) { i--; continue; }
                return errno == LibC.EAGAIN;
            }
            return true;
        }
    }

    /// <summary>
    /// A pump that fails (its log file cannot be written: disk full, permissions) loses that chunk, is
    /// reported once, and its stream is still read: the worker must never block on its output, and
    /// the other bots' output must not stop.
    /// </summary>
    private void Consume(OutputPump pump, ReadOnlySpan<byte> data)
    {
        try
        {
            pump.Consume(data);
        }
        catch (Exception ex)
        {
            if (pump.FailureReported) return;
            pump.FailureReported = true;
            Log.OutputFailed(_logger, pump.BotId, ex.Message);
        }
    }

    private void Complete(OutputPump pump)
    {
        try
        {
            pump.Complete();
        }
        catch (Exception ex) when (!pump.FailureReported)
        {
            pump.FailureReported = true;
            Log.OutputFailed(_logger, pump.BotId, ex.Message);
        }
        catch (Exception)
        {
        }
    }

    private void End(long key)
    {
        (int Fd, OutputPump Pump) stream;
        lock (_gate)
        {
            if (!_streams.Remove(key, out stream)) return;
            LibC.close(stream.Fd); // also leaves the epoll set
        }
        Complete(stream.Pump);
    }

    /// <summary>Stops the thread, then takes what the remaining streams already hold and closes them.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping) return;
            _stopping = true;
        }
        long one = 1;
        LibC.write(_wake, (byte*)&one, sizeof(long));
        if (Thread.CurrentThread != _thread) _thread.Join();

        List<(int Fd, OutputPump Pump)> remaining;
        lock (_gate)
        {
            remaining = [.. _streams.Values];
            _streams.Clear();
        }
        byte[] chunk = new byte[ChunkSize];
        foreach (var (fd, pump) in remaining)
        {
            Drain(fd, pump, chunk, 16); // what is already buffered, up to 1 MiB: a worker still writing does not hold the stop up
            LibC.close(fd);
            Complete(pump);
        }
        LibC.close(_wake);
        LibC.close(_epoll);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = Diagnostics.LogEventIds.OutputFailed, Level = LogLevel.Error, Message = "Bot {BotId}: its output could not be stored ({Error}); it is still read, and lines are lost until this is fixed")]
        public static partial void OutputFailed(ILogger logger, string botId, string error);
    }
}
