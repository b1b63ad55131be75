using System.CommandLine;
using Botvisor.Cli.Commands;

namespace Botvisor;

public static class Program
{
    /// <summary>The version and the commit it was built from (the SDK appends git's SourceRevisionId: <c>1.0.0+4f2a…</c>).</summary>
    public static string VersionLine()
    {
        var informational = typeof(Program).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0.0.0";
        int plus = informational.IndexOf('+', StringComparison.Ordinal);
        var version = plus < 0 ? informational : informational[..plus];
        var commit = plus < 0 ? "unknown" : informational[(plus + 1)..];
        return $"botvisor {version} (commit {commit}, {System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier}, {(System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported ? ".NET " + Environment.Version : "native AOT")})";
    }

    public static Task<int> Main(string[] args)
    {
        if (args is ["--version"] or ["version"])
        {
            Console.WriteLine(VersionLine());
            return Task.FromResult(Cli.ExitCodes.Ok);
        }
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
            MuteCommand.Mute(),
            MuteCommand.Unmute(),
            DaemonCommands.Reload(),
            SourcesCommand.Create(),
            ValidateCommand.Create(),
            InitCommand.Create(),
            CompletionCommand.Create(),
            DaemonCommands.Shutdown(),
            NodesCommand.Create(),
            GuardCommand.Create(),
            UiCommand.Create(),
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
