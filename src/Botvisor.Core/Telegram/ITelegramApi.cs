using Botvisor.Core.Fleet;

namespace Botvisor.Core.Telegram;

/// <summary>The Bot API calls Botvisor makes itself (the core knows no HTTP; the daemon implements this).</summary>
public interface ITelegramApi
{
    Task<TelegramResult<TelegramBotInfo>> GetMeAsync(string baseUrl, BotToken token, CancellationToken cancellationToken);

    Task<TelegramResult<bool>> DeleteWebhookAsync(string baseUrl, BotToken token, CancellationToken cancellationToken);
}

/// <summary>What getMe says about a bot.</summary>
public sealed record TelegramBotInfo(long Id, string Username);

/// <summary>A value, or why there is none.</summary>
public sealed record TelegramResult<T>(T? Value, TelegramFailure? Failure)
{
    public static TelegramResult<T> Ok(T value) => new(value, null);

    public static TelegramResult<T> Fail(TelegramFailure failure) => new(default, failure);
}

public enum TelegramFailureKind
{
    /// <summary>401 (or 404 for a malformed token): Telegram does not accept the token. Restarting will not help.</summary>
    Rejected,

    /// <summary>429: wait <see cref="TelegramFailure.RetryAfter"/>.</summary>
    RateLimited,

    /// <summary>Network error, timeout or 5xx: try again later.</summary>
    Unreachable,

    /// <summary>Another error the Bot API reported.</summary>
    Other,
}

/// <summary>Why a Bot API call failed. The description never contains the token.</summary>
public sealed record TelegramFailure(TelegramFailureKind Kind, int? ErrorCode, string Description, TimeSpan? RetryAfter = null)
{
    /// <summary>A group that became a supergroup: the chat's new id (Telegram's <c>migrate_to_chat_id</c>).</summary>
    public long? MigrateToChatId { get; init; }

    public override string ToString() => ErrorCode is { } code ? $"{code} {Description}" : Description;
}
