namespace Botvisor.Core.Validation;

/// <summary>The command must name a program that exists, and the working directory must exist.</summary>
public sealed class CommandValidator : IFleetValidator
{
    public string Name => "command";

    public void Validate(FleetValidationContext context)
    {
        foreach (var bot in context.Fleet.Bots)
        {
            var p = "bots." + bot.Id;
            var cwd = bot.Cwd is null ? context.Fleet.BaseDirectory : Path.GetFullPath(bot.Cwd, context.Fleet.BaseDirectory);
            if (bot.Cwd is not null && !Directory.Exists(cwd))
            {
                context.Report(p + ".cwd", $"the working directory does not exist: {cwd}", bot.Cwd);
            }
            if (bot.Command.Count == 0) continue; // the loader already reported it
            var program = bot.Command[0];
            if (string.IsNullOrWhiteSpace(program))
            {
                context.Report(p + ".command", "the program name is empty", program);
                continue;
            }
            if (ExecutableResolver.Resolve(program, cwd) is null)
            {
                context.Report(p + ".command", program.Contains('/', StringComparison.Ordinal)
                    ? $"the program does not exist or is not executable (looked in {cwd})"
                    : "the program was not found on PATH", program);
            }
        }
    }
}
