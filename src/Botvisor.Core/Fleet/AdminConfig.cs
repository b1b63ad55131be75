namespace Botvisor.Core.Fleet;

/// <summary>
/// The fleet file's <c>admin:</c> section: the Telegram bot the daemon itself runs for the people who
/// run the fleet. It answers only <see cref="Users"/>; alerts go to <see cref="Chats"/>.
/// </summary>
public sealed record AdminConfig
{
    /// <summary>The admin bot's token: a secret like any bot token.</summary>
    public required BotToken Token { get; init; }

    /// <summary>Telegram user ids allowed to talk to the admin bot, with what each may do.</summary>
    public IReadOnlyDictionary<long, AdminRole> Users { get; init; } = new Dictionary<long, AdminRole>();

    /// <summary>Chats (users, groups, channels) the alerts are sent to.</summary>
    public IReadOnlyList<long> Chats { get; init; } = [];

    /// <summary>The Bot API the admin bot talks to (null: <c>defaults.telegram.api_base_url</c>, else Telegram's).</summary>
    public string? ApiBaseUrl { get; init; }

    /// <summary>How long a confirmation button (restart, stop) stays valid.</summary>
    public TimeSpan? ConfirmFor { get; init; }

    public static readonly TimeSpan DefaultConfirmFor = TimeSpan.FromSeconds(60);
}

/// <summary>What an admin-bot user may do: <c>view</c> (status, logs, events) or <c>operate</c> (also start, stop, restart, mute).</summary>
public enum AdminRole
{
    View,
    Operate,
}
