using System.Text;
using Botvisor.Core.Logs;
using Botvisor.Core.Native;
using Botvisor.Testing;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Tests.Logs;

public sealed class OutputReaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("botvisor-reader-").FullName;

    [Fact]
    public async Task Reads_LinesFromManyStreams_UntilEachEnds_AndKeepsALastLineWithoutNewline()
    {
        using var reader = new OutputReader();
        var logs = new List<(BotLog Log, int WriteEnd)>();
        for (int i = 0; i < 20; i++)
        {
            var log = new BotLog($"bot{i}", _directory, 1 << 20, 1);
            var (readEnd, writeEnd) = SocketPair();
            reader.Add(readEnd, new OutputPump(LogStream.Stdout, log, new TokenMasker(), TimeProvider.System));
            logs.Add((log, writeEnd));
        }

        foreach (var (log, writeEnd) in logs)
        {
            Write(writeEnd, $"first of {log.BotId}\r\nsecond");
            Write(writeEnd, $" half\nunfinished {log.BotId}");
            LibC.close(writeEnd);
        }

        await WaitUntil(() => reader.Count == 0);
        foreach (var (log, _) in logs)
        {
            Assert.Equal([$"first of {log.BotId}", "second half", $"unfinished {log.BotId}"], log.Tail(10).Select(l => l.Text));
            log.Dispose();
        }
    }

    [Fact]
    public async Task AStreamWhoseLogCannotBeWritten_IsStillRead_ReportedOnce_AndDoesNotStopTheOthers()
    {
        using var logs = new ListLoggerProvider();
        using var factory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(logs));
        using var reader = new OutputReader(factory.CreateLogger<OutputReader>());
        Directory.CreateDirectory(Path.Combine(_directory, "broken.log")); // the log file's path is taken by a directory
        using var broken = new BotLog("broken", _directory, 1 << 20, 1);
        using var fine = new BotLog("fine", _directory, 1 << 20, 1);
        var (brokenRead, brokenWrite) = SocketPair();
        var (fineRead, fineWrite) = SocketPair();
        reader.Add(brokenRead, new OutputPump(LogStream.Stdout, broken, new TokenMasker(), TimeProvider.System));
        reader.Add(fineRead, new OutputPump(LogStream.Stdout, fine, new TokenMasker(), TimeProvider.System));

        for (int i = 0; i < 3; i++)
        {
            Write(brokenWrite, $"lost {i}\n");
            await WaitUntil(() => logs.Messages.Any(m => m.Id.Id == Diagnostics.LogEventIds.OutputFailed));
        }
        Write(fineWrite, "kept\n");
        LibC.close(brokenWrite);
        LibC.close(fineWrite);

        await WaitUntil(() => reader.Count == 0);
        Assert.Equal(["kept"], fine.Tail(10).Select(l => l.Text));
        var failure = Assert.Single(logs.Messages, m => m.Id.Id == Diagnostics.LogEventIds.OutputFailed);
        Assert.Contains("Bot broken", failure.Message);
    }

    [Fact]
    public void Dispose_TakesWhatIsBuffered_ClosesTheStreams_AndRefusesNewOnes()
    {
        var reader = new OutputReader();
        using var log = new BotLog("late", _directory, 1 << 20, 1);
        var (readEnd, writeEnd) = SocketPair();
        reader.Add(readEnd, new OutputPump(LogStream.Stderr, log, new TokenMasker(), TimeProvider.System));
        Write(writeEnd, "buffered\npartial");

        reader.Dispose();
        Assert.Equal(["buffered", "partial"], log.Tail(10).Select(l => l.Text));
        Assert.Equal(0, reader.Count);
        // EPIPE (the runtime ignores SIGPIPE). A process another test spawns at that moment holds a copy of the
        // daemon's end until it execs (close-on-exec), so the socket's last close may come a moment later.
        Assert.True(Eventually(() => WriteOneByte(writeEnd) < 0), "the daemon's end should be closed");
        LibC.close(writeEnd);

        var (lateRead, lateWrite) = SocketPair();
        reader.Add(lateRead, new OutputPump(LogStream.Stdout, log, new TokenMasker(), TimeProvider.System));
        Assert.Equal(0, reader.Count);
        Assert.True(Eventually(() => WriteOneByte(lateWrite) < 0), "a stream added after disposal should be closed at once");
        LibC.close(lateWrite);
    }

    private static unsafe nint WriteOneByte(int fd)
    {
        byte one = 1;
        return LibC.write(fd, &one, 1);
    }

    private static bool Eventually(Func<bool> condition)
    {
        for (var until = DateTime.UtcNow + Botvisor.Testing.TestTimeouts.Event; DateTime.UtcNow < until; Thread.Sleep(10))
        {
            if (condition()) return true;
        }
        return false;
    }

    private static unsafe (int ReadEnd, int WriteEnd) SocketPair()
    {
        int* pair = stackalloc int[2];
        Assert.Equal(0, LibC.socketpair(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0, pair));
        return (pair[0], pair[1]);
    }

    private static unsafe void Write(int fd, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        fixed (byte* p = bytes) Assert.Equal(bytes.Length, (int)LibC.write(fd, p, (nuint)bytes.Length));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Event;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the reader");
            await Task.Delay(10);
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
