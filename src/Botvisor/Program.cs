using System.CommandLine;
using Botvisor.Cli.Commands;

namespace Botvisor;

public static class Program
{
    public static Task<int> Main(string[] args)
    {
        var root = new RootCommand("Botvisor: keeps a fleet of Telegram bots running")
        {
            RunCommand.Create(),
            ValidateCommand.Create(),
        };
        // The daemon handles SIGINT/SIGTERM itself (graceful shutdown of every bot), so the parser must not.
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }
}
