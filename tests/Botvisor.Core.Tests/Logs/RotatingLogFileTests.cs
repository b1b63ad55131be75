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
        var file = new RotatingLogFile("/dev/full", maxSize: long.MaxValue, maxFiles: 1);
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
}
