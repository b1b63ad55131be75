namespace Botvisor.Core.Fleet;

/// <summary>
/// A template (<c>templates:</c> in the fleet file) is a bot definition without a token. A bot that
/// names one (<c>template: replica</c>) takes every key it does not set itself from it; the options'
/// sections (backoff, logs, telegram) merge key by key, and so does <c>env</c> (the bot's variables win).
/// </summary>
public static class BotTemplates
{
    public static BotConfig Apply(BotConfig bot, BotConfig template) => new(bot.Or(template))
    {
        Id = bot.Id,
        Template = bot.Template,
        Command = bot.Command.Count > 0 ? bot.Command : template.Command,
        Cwd = bot.Cwd ?? template.Cwd,
        Token = bot.Token,
        Env = MergeEnv(template.Env, bot.Env),
        Autostart = bot.Autostart ?? template.Autostart,
        DependsOn = bot.DependsOn.Count > 0 ? bot.DependsOn : template.DependsOn,
        Health = bot.Health ?? template.Health,
    };

    /// <summary>
    /// Applies each bot's template from <paramref name="templates"/>; a bot whose template is not there
    /// is returned in <c>Unknown</c> (with the bot as written) for the caller to report.
    /// </summary>
    public static BotConfig? TryApply(BotConfig bot, IReadOnlyDictionary<string, BotConfig> templates) =>
        bot.Template is null ? bot : templates.TryGetValue(bot.Template, out var template) ? Apply(bot, template) : null;

    private static IReadOnlyDictionary<string, string>? MergeEnv(IReadOnlyDictionary<string, string>? template, IReadOnlyDictionary<string, string>? bot)
    {
        if (template is null || template.Count == 0) return bot;
        if (bot is null || bot.Count == 0) return template;
        var merged = new Dictionary<string, string>(template, StringComparer.Ordinal);
        foreach (var (name, value) in bot) merged[name] = value;
        return merged;
    }
}
