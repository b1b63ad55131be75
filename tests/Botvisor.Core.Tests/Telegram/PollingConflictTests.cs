using Botvisor.Core.Telegram;

namespace Botvisor.Core.Tests.Telegram;

public class PollingConflictTests
{
    [Theory]
    [InlineData("telegram.error.Conflict: Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", true)]
    [InlineData("GrammyError: Call to 'getUpdates' failed! (409: Conflict: Terminated by other getUpdates request)", true)]
    [InlineData("TERMINATED BY OTHER GETUPDATES REQUEST", true)]
    [InlineData("getUpdates request terminated by timeout", false)]
    [InlineData("", false)]
    public void RecognisesTelegramsConflictText_InAnyCase(string line, bool expected) => Assert.Equal(expected, PollingConflict.IsIn(line));
}
