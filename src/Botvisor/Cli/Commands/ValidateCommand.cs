using System.CommandLine;
using Botvisor.Core.Configuration;

namespace Botvisor.Cli.Commands;

/// <summary><c>botvisor validate [FILE]</c>: prints every problem of a fleet file; exit 1 if there is any.</summary>
internal static class ValidateCommand
{
    private static readonly Argument<string?> File = new("file")
    {
        Description = "The fleet file (default: --config, $BOTVISOR_CONFIG or ./botvisor.yaml)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public static Command Create()
    {
        var command = new Command("validate", "Check a fleet file and print every problem with its line and column");
        command.Arguments.Add(File);
        command.Options.Add(CommonOptions.Config);
        command.SetAction((parse, _) => Task.FromResult(Invoke(parse.GetValue(File) ?? parse.GetValue(CommonOptions.Config), Console.Out, Console.Error)));
        return command;
    }

    public static int Invoke(string? file, TextWriter stdout, TextWriter stderr)
    {
        var path = CommonOptions.ResolveConfigPath(file);
        var result = FleetLoader.LoadAndValidate(path);
        if (result.Succeeded)
        {
            stdout.WriteLine($"{path}: OK, {result.Fleet!.Bots.Count} bot(s)");
            return ExitCodes.Ok;
        }
        foreach (var error in result.Errors) stderr.WriteLine(error);
        stderr.WriteLine($"{path}: {result.Errors.Count} error(s)");
        return ExitCodes.Failed;
    }
}
