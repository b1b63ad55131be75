using Botvisor.Core.Supervision;

namespace Botvisor.Core.Tests.Supervision;

public class ProcStatTests
{
    [Fact]
    public void Parse_CommandWithSpacesAndParentheses_CountsFieldsFromTheLastParenthesis()
    {
        const string line = "4242 (my (odd) bot) S 1 4242 4242 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 123456 9999 321 18446744073709551615";
        var stat = ProcStat.Parse(line)!.Value;
        Assert.Equal(4242, stat.Pid);
        Assert.Equal('S', stat.State);
        Assert.Equal(1, stat.ParentPid);
        Assert.Equal(4242, stat.Session);
        Assert.Equal(123456UL, stat.StartTime);
        Assert.Equal((7UL, 3UL), (stat.UserTicks, stat.SystemTicks));
        Assert.Equal(321, stat.RssPages);
    }

    [Fact]
    public void Read_ThisProcess_MatchesItsPid() => Assert.Equal(Environment.ProcessId, ProcStat.Read(Environment.ProcessId)!.Value.Pid);

    [Fact]
    public void Read_NoSuchProcess_IsNull() => Assert.Null(ProcStat.Read(int.MaxValue));
}
