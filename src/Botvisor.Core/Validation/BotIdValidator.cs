using System.Text.RegularExpressions;

namespace Botvisor.Core.Validation;

/// <summary>Bot ids are <c>[a-z0-9][a-z0-9_-]{0,62}</c>: safe in paths, URLs, metrics labels and cgroup names.</summary>
public sealed partial class BotIdValidator : IFleetValidator
{
    public string Name => "id";

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    public static bool IsValid(string id) => IdPattern().IsMatch(id);

    public void Validate(FleetValidationContext context)
    {
        foreach (var bot in context.Fleet.Bots)
        {
            if (!IsValid(bot.Id))
            {
                context.Report("bots." + bot.Id,
                    "a bot id must start with a lowercase letter or digit and contain only a-z, 0-9, '_' and '-' (at most 63 characters)",
                    bot.Id);
            }
        }
    }
}
