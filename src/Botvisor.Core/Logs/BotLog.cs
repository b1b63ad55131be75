using System.Threading.Channels;

namespace Botvisor.Core.Logs;

/// <summary>
/// Everything one bot printed: a ring buffer of recent lines, the rotated file, and live followers.
/// Lines arrive already masked. Followers that fall behind lose lines rather than slowing the bot.
/// </summary>
public sealed class BotLog : IDisposable
{
    public const int DefaultRingCapacity = 1000;
    private const int FollowerBuffer = 1024;

    private readonly LogRingBuffer _ring;
    private readonly RotatingLogFile _file;
    private readonly object _followersGate = new();
    private ImmutableFollowers _followers = new([]);
    private long _sequence;

    private sealed record ImmutableFollowers(ChannelWriter<LogLine>[] Writers);

    public BotLog(string botId, string directory, long maxSize, int maxFiles, int ringCapacity = DefaultRingCapacity)
    {
        BotId = botId;
        _ring = new LogRingBuffer(ringCapacity);
        _file = new RotatingLogFile(System.IO.Path.Combine(directory, botId + ".log"), maxSize, maxFiles);
    }

    public string BotId { get; }

    public string FilePath => _file.Path;

    public void Configure(long maxSize, int maxFiles) => _file.Configure(maxSize, maxFiles);

    public void Append(DateTimeOffset time, LogStream stream, string text)
    {
        var line = new LogLine(Interlocked.Increment(ref _sequence), time, stream, text);
        _ring.Add(line);
        _file.Write(line);
        foreach (var writer in _followers.Writers) writer.TryWrite(line);
    }

    /// <summary>Called after a batch of lines, so the file is current without a flush per line.</summary>
    public void Flush() => _file.Flush();

    public IReadOnlyList<LogLine> Tail(int max) => _ring.Tail(max);

    /// <summary>The last <paramref name="tail"/> lines, then every new line until cancelled.</summary>
    public async IAsyncEnumerable<LogLine> FollowAsync(int tail, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<LogLine>(new BoundedChannelOptions(FollowerBuffer)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_followersGate) _followers = new ImmutableFollowers([.. _followers.Writers, channel.Writer]);
        try
        {
            long last = 0;
            foreach (var line in _ring.Tail(tail))
            {
                last = line.Sequence;
                yield return line;
            }
            await foreach (var line in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (line.Sequence <= last) continue;
                yield return line;
            }
        }
        finally
        {
            lock (_followersGate) _followers = new ImmutableFollowers(_followers.Writers.Where(w => w != channel.Writer).ToArray());
        }
    }

    public void Dispose() => _file.Dispose();
}
