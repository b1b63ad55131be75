using Botvisor.Core.Logs;

namespace Botvisor.Core.Tests.Logs;

public class RotatingLogFileTests
{
    [Fact]
    public void Write_PastTheSizeLimit_RotatesAndKeepsMaxFiles()
    {
        var dir = Directory.CreateTempSubdirectory("botvisor-rotate-").FullName;
        var path = Path.Combine(dir, "bot.log");
        using (var file = new RotatingLogFile(path, maxSize: 1000, maxFiles: 3))
        {
            for (int i = 0; i < 100; i++)
            {
                file.Write(new LogLine(i, DateTimeOffset.UnixEpoch, LogStream.Stdout, $"line {i:D3} " + new string('x', 50)));
            }
            file.Flush();
        }

        Assert.Equal(["bot.log", "bot.log.1", "bot.log.2"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
        Assert.All(Directory.GetFiles(dir), f => Assert.InRange(new FileInfo(f).Length, 1, 1000));
        var last = File.ReadAllLines(path).Last();
        Assert.StartsWith("1970-01-01T00:00:00.000Z stdout line 099 ", last);
    }

    /// <summary>/dev/full answers every write with ENOSPC, as a full disk does.</summary>
    [Fact]
    public void FullDisk_FlushReportsTheFailure_ButDisposeDoesNotThrow()
    {
        Assert.SkipUnless(File.Exists("/dev/full"), "needs /dev/full");
#pragma warning disable CA2000 // disposed below, inside Record.Exception: what the test is about
        var file = new RotatingLogFile("/dev/full", maxSize: long.MaxValue, maxFiles: 1);
#pragma warning restore CA2000
        file.Write(new LogLine(1, DateTimeOffset.UnixEpoch, LogStream.Stdout, "a line that cannot be stored"));
        Assert.Throws<IOException>(file.Flush); // the pump reports it once (OutputFailed)
        file.Write(new LogLine(2, DateTimeOffset.UnixEpoch, LogStream.Stdout, "another"));

        var disposing = Record.Exception(file.Dispose); // a supervisor disposes its log while the daemon stops

        Assert.Null(disposing);
    }

    [Fact]
    public void Ring_KeepsTheNewestLines()
    {
        var ring = new LogRingBuffer(3);
        for (int i = 1; i <= 5; i++) ring.Add(new LogLine(i, DateTimeOffset.UnixEpoch, LogStream.Stdout, i.ToString()));
        Assert.Equal(["3", "4", "5"], ring.Tail(10).Select(l => l.Text));
        Assert.Equal(["5"], ring.Tail(1).Select(l => l.Text));
    }

    [Fact]
    public void Ring_ABotPrintingLongLinesForever_StaysWithinTheByteBudget_AndKeepsTheNewest()
    {
        var ring = new LogRingBuffer(1000);
        var line = new string('x', 16 * 1024); // the longest line a pump writes
        for (int i = 1; i <= 5000; i++) ring.Add(new LogLine(i, DateTimeOffset.UnixEpoch, LogStream.Stdout, line + i));

        Assert.InRange(ring.Bytes, 1, LogRingBuffer.DefaultMaxBytes);
        Assert.Equal(ring.Count, (int)(ring.Bytes / LogRingBuffer.Cost(new LogLine(0, default, LogStream.Stdout, line + "5000"))));
        Assert.EndsWith("5000", ring.Tail(1)[0].Text, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(5001 - ring.Count, ring.Count).Select(i => line + i), ring.Tail(int.MaxValue).Select(l => l.Text));
    }

    [Fact]
    public void Ring_ShortLines_StillKeepItsThousandLines()
    {
        var ring = new LogRingBuffer(BotLog.DefaultRingCapacity);
        for (int i = 0; i < 3000; i++) ring.Add(new LogLine(i, DateTimeOffset.UnixEpoch, LogStream.Stdout, new string('y', 90) + i.ToString("D4")));
        Assert.Equal(1000, ring.Count);
        Assert.Equal(2999, ring.Tail(1)[0].Sequence);
    }

    [Fact]
    public void Ring_ALineOverTheWholeBudget_IsKeptAlone()
    {
        var ring = new LogRingBuffer(10, maxBytes: 100);
        ring.Add(new LogLine(1, DateTimeOffset.UnixEpoch, LogStream.Stdout, "a"));
        ring.Add(new LogLine(2, DateTimeOffset.UnixEpoch, LogStream.Stdout, new string('z', 500)));
        Assert.Equal([2L], ring.Tail(10).Select(l => l.Sequence));
        ring.Add(new LogLine(3, DateTimeOffset.UnixEpoch, LogStream.Stdout, "b"));
        Assert.Equal([3L], ring.Tail(10).Select(l => l.Sequence));
    }
}
