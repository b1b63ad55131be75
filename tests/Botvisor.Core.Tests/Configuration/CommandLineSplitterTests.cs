using Botvisor.Core.Configuration;

namespace Botvisor.Core.Tests.Configuration;

public class CommandLineSplitterTests
{
    [Theory]
    [InlineData("python3 echo.py", new[] { "python3", "echo.py" })]
    [InlineData("node  'my bot.js'  --flag", new[] { "node", "my bot.js", "--flag" })]
    [InlineData("app \"a b\" c\\ d", new[] { "app", "a b", "c d" })]
    [InlineData("app ''", new[] { "app", "" })]
    public void Split_Words_LikeAShell(string command, string[] expected)
    {
        Assert.True(CommandLineSplitter.TrySplit(command, out var argv, out var error), error);
        Assert.Equal(expected, argv);
    }

    [Theory]
    [InlineData("python3 bot.py | tee log", "'|'")]
    [InlineData("a && b", "'&'")]
    [InlineData("a > out", "'>'")]
    [InlineData("echo $HOME", "shell variable")]
    [InlineData("echo 'open", "unterminated single quote")]
    [InlineData("   ", "empty")]
    public void Split_ShellSyntax_IsRefusedWithAHint(string command, string expected)
    {
        Assert.False(CommandLineSplitter.TrySplit(command, out _, out var error));
        Assert.Contains(expected, error);
    }
}
