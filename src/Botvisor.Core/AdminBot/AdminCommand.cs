namespace Botvisor.Core.AdminBot;

/// <summary>A command a person sent the admin bot: <c>/restart@mybot echo</c> → name <c>restart</c>, arguments <c>[echo]</c>.</summary>
public sealed record AdminCommand(string Name, IReadOnlyList<string> Args)
{
    /// <summary>
    /// Parses a message's text; null when it is not a command (no leading '/'), or is addressed to
    /// another bot (<c>/status@otherbot</c> in a group).
    /// </summary>
    public static AdminCommand? Parse(string? text, string? botUsername)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var words = text.Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var head = words[0];
        if (head.Length < 2 || head[0] != '/') return null;
        var name = head[1..];
        int at = name.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            var addressee = name[(at + 1)..];
            if (botUsername is not null && !string.Equals(addressee, botUsername, StringComparison.OrdinalIgnoreCase)) return null;
            name = name[..at];
        }
        if (name.Length == 0 || name.Length > 32) return null;
        return new AdminCommand(name.ToLowerInvariant(), words[1..]);
    }
}

/// <summary>The commands the admin bot offers, with who may use them; also its menu (<c>setMyCommands</c>).</summary>
public static class AdminCommands
{
    public sealed record Definition(string Name, string Usage, string Description, Fleet.AdminRole Needs);

    public static readonly IReadOnlyList<Definition> All =
    [
        new("status", "/status", "counts, and the bots that are not running or not healthy", Fleet.AdminRole.View),
        new("bot", "/bot ID", "one bot: state, health, uptime, restarts, last exit, memory and CPU", Fleet.AdminRole.View),
        new("logs", "/logs ID [N]", "the bot's last N lines of output (20 by default; a file when long)", Fleet.AdminRole.View),
        new("events", "/events [ID]", "the latest events (of one bot)", Fleet.AdminRole.View),
        new("nodes", "/nodes", "the cluster's nodes", Fleet.AdminRole.View),
        new("restart", "/restart ID", "restart a bot (asks to confirm)", Fleet.AdminRole.Operate),
        new("stop", "/stop ID", "stop a bot (asks to confirm)", Fleet.AdminRole.Operate),
        new("start", "/start ID", "start a bot", Fleet.AdminRole.Operate),
        new("mute", "/mute ID|kind:NAME [1h]", "silence the alerts of a bot or a kind for a while; /mute alone lists silences", Fleet.AdminRole.Operate),
        new("unmute", "/unmute ID|kind:NAME", "end a silence", Fleet.AdminRole.Operate),
        new("help", "/help", "what this bot can do", Fleet.AdminRole.View),
    ];

    public static Definition? Find(string name) => All.FirstOrDefault(d => d.Name == name);
}
