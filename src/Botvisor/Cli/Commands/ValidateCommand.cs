using System.CommandLine;
using System.Text.Json;
using Botvisor.Api.Contracts;
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

    private static readonly Option<bool> Json = new("--json")
    {
        Description = "Print the errors as a JSON array of {file, line, column, path, message, value} on standard output ([] when there is none)",
    };

    public static Command Create()
    {
        var command = new Command("validate", "Check a fleet file and print every problem with its line and column");
        command.Arguments.Add(File);
        command.Options.Add(CommonOptions.Config);
        command.Options.Add(Json);
        command.SetAction((parse, _) => Task.FromResult(Invoke(parse.GetValue(File) ?? parse.GetValue(CommonOptions.Config), Console.Out, Console.Error, parse.GetValue(Json))));
        return command;
    }

    public static int Invoke(string? file, TextWriter stdout, TextWriter stderr, bool json = false)
    {
        var path = CommonOptions.ResolveConfigPath(file);
        var result = FleetLoader.LoadAndValidate(path);
        if (json)
        {
            var errors = result.Errors
                .Select(e => new ValidationErrorInfo(e.File, e.Location?.Line, e.Location?.Column, e.Path, e.Message, e.Value))
                .ToList();
            stdout.WriteLine(JsonSerializer.Serialize(errors, ApiJsonContext.Default.ListValidationErrorInfo));
            return result.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
        }
        if (result.Succeeded)
        {
            var fleet = result.Fleet!;
            var sources = fleet.Sources.Count == 0 ? "" : $", {fleet.Sources.Count} remote source(s) ({string.Join(", ", fleet.Sources.Select(s => $"{s.Name}: {s.DisplayUrl}"))}; their lists are checked as they are fetched)";
            stdout.WriteLine($"{path}: OK, {fleet.Bots.Count} bot(s){sources}");
            return ExitCodes.Ok;
        }
        foreach (var error in result.Errors) stderr.WriteLine(error);
        stderr.WriteLine($"{path}: {result.Errors.Count} error(s)");
        if (!System.IO.File.Exists(path) && !Directory.Exists(path)) stderr.WriteLine(CommonOptions.MissingFleetFileHint);
        return ExitCodes.Failed;
    }
}
