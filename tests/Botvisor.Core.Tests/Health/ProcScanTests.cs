using System.Diagnostics;
using Botvisor.Core.Health;
using Botvisor.Core.Supervision;
using Botvisor.Testing;

namespace Botvisor.Core.Tests.Health;

[Collection(RealProcesses.Name)]
public class ProcScanTests
{
    [Fact]
    public void Scan_KeepsTheStatFilesOfTrackedProcessesOpen_AndClosesThemOnceTheyEnd()
    {
        using var sleeper = StartSessionLeader();
        using var scan = new ProcScan();
        int session = sleeper.Id; // setsid: the sleeper leads its own session

        var seen = Pass(scan, session);
        Assert.Equal([sleeper.Id], seen.Select(s => s.Pid));
        Assert.Equal(session, seen[0].Session);
        Assert.Equal(1, scan.OpenFiles);

        // The second pass reads the kept file again and still sees the process.
        Assert.Equal([sleeper.Id], Pass(scan, session).Select(s => s.Pid));
        Assert.Equal(1, scan.OpenFiles);

        sleeper.Kill();
        sleeper.WaitForExit();
        Assert.Empty(Pass(scan, session));
        Assert.Equal(0, scan.OpenFiles);
    }

    [Fact]
    public void Scan_ReadsUntrackedProcessesWithoutKeepingThem()
    {
        using var scan = new ProcScan();
        var all = new List<ProcStat>();
        scan.Scan(_ => false, all.Add);
        Assert.Empty(all);
        Assert.Equal(0, scan.OpenFiles);

        int ownSession = ProcStat.Read(Environment.ProcessId)!.Value.Session;
        scan.Scan(s => s == ownSession, all.Add);
        Assert.Contains(all, s => s.Pid == Environment.ProcessId);
        Assert.All(all, s => Assert.Equal(ownSession, s.Session));
        Assert.Equal(all.Count, scan.OpenFiles);
    }

    private static List<ProcStat> Pass(ProcScan scan, int session)
    {
        var seen = new List<ProcStat>();
        scan.Scan(s => s == session, seen.Add);
        return seen;
    }

    /// <summary>A process that leads its own session, as a bot's worker does.</summary>
    private static Process StartSessionLeader()
    {
        var start = new ProcessStartInfo("python3", ["-c", "import os, time; os.setsid(); time.sleep(600)"]) { UseShellExecute = false };
        var process = Process.Start(start)!;
        var deadline = DateTime.UtcNow + TestTimeouts.Event;
        while (ProcStat.Read(process.Id)?.Session != process.Id)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the test process did not call setsid");
            Thread.Sleep(10);
        }
        return process;
    }
}
