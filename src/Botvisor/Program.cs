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
            StatusCommand.Create(),
            StatusCommand.CreateList(),
            AddCommand.Create(),
            BotCommands.Remove(),
            BotCommands.Start(),
            BotCommands.Stop(),
            BotCommands.Restart(),
            LogsCommand.Create(),
            EventsCommand.Create(),
            DaemonCommands.Reload(),
            ValidateCommand.Create(),
            InitCommand.Create(),
            DaemonCommands.Shutdown(),
        };
        // The daemon handles SIGINT/SIGTERM itself (graceful shutdown of every bot), so the parser must not.
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is System.CommandLine.Invocation.ParseErrorAction)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine("botvisor: " + error.Message);
            Console.Error.WriteLine("Run 'botvisor --help' for usage.");
            return Task.FromResult(Cli.ExitCodes.Usage);
        }
        return parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }
}
