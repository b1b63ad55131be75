using System.Text;
using Botvisor.Core.Storage;
using Botvisor.Core.Supervision;

namespace Botvisor.Core.Tests.Supervision;

/// <summary>How a daemon's mark is found in a process's environment, and how marked sessions become targets.</summary>
public class WorkerMarksTests
{
    private static byte[] Environ(params string[] entries) => Encoding.UTF8.GetBytes(string.Join('\0', entries) + "\0");

    [Fact]
    public void HasVariable_MatchesWholeEntriesOnly()
    {
        var mark = Encoding.ASCII.GetBytes("BOTVISOR_STATE_ID=abc\0");
        Assert.True(WorkerMarks.HasVariable(Environ("PATH=/bin", "BOTVISOR_STATE_ID=abc"), mark));
        Assert.True(WorkerMarks.HasVariable(Environ("BOTVISOR_STATE_ID=abc", "X=1"), mark));
        Assert.False(WorkerMarks.HasVariable(Environ("XBOTVISOR_STATE_ID=abc"), mark)); // a longer name
        Assert.False(WorkerMarks.HasVariable(Environ("BOTVISOR_STATE_ID=abcd"), mark)); // another daemon's
        Assert.False(WorkerMarks.HasVariable(Environ("A=BOTVISOR_STATE_ID=abc"), mark)); // inside a value
        Assert.False(WorkerMarks.HasVariable([], mark));
    }

    [Fact]
    public void Value_ReadsTheEntry_EvenWithoutATrailingNul()
    {
        var key = Encoding.ASCII.GetBytes("BOTVISOR_BOT_ID=");
        Assert.Equal("echo", WorkerMarks.Value(Environ("A=1", "BOTVISOR_BOT_ID=echo"), key));
        Assert.Equal("last", WorkerMarks.Value(Encoding.ASCII.GetBytes("A=1\0BOTVISOR_BOT_ID=last"), key));
        Assert.Null(WorkerMarks.Value(Environ("A=1"), key));
    }

    [Fact]
    public void WithMarked_AddsOneTargetPerSessionNoLiveRecordCovers()
    {
        // This test process stands for a recorded worker whose leader is alive and matches its record.
        var self = ProcStat.Read(Environment.ProcessId)!.Value;
        var live = new WorkerRecord("a", self.Pid, self.Session, self.StartTime, DateTimeOffset.UnixEpoch) with { ProcessGroup = self.Session };
        var stale = new WorkerRecord("c", int.MaxValue - 3, int.MaxValue - 3, 1, DateTimeOffset.UnixEpoch); // its process is gone
        var marked = new List<WorkerMarks.MarkedProcess>
        {
            new(self.Pid, "a", self.Session, self.StartTime), // covered by the live record
            new(int.MaxValue - 1, "b", int.MaxValue - 1, 5), new(int.MaxValue - 2, "b", int.MaxValue - 1, 6), // an unrecorded worker (its leader is gone)
            new(int.MaxValue - 4, "c", int.MaxValue - 3, 9), // in the session of a record whose leader is gone: not covered by it
        };

        var targets = LeftoverWorkers.WithMarked([live, stale], marked);

        Assert.Equal(4, targets.Count);
        Assert.Single(targets, t => t.ProcessGroup == self.Session);
        var added = targets.Single(t => t.BotId == "b");
        Assert.Equal(int.MaxValue - 1, added.ProcessGroup);
        Assert.Equal(5ul, added.StartTime); // the oldest marked member enters the session
        Assert.Equal(2, targets.Count(t => t.ProcessGroup == int.MaxValue - 3));
    }
}
