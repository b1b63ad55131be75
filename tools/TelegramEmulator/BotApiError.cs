namespace TelegramEmulator;

/// <summary>An error the real Bot API gives, with its real text.</summary>
public sealed class BotApiError(int code, string description, int? retryAfter = null, long? migrateTo = null) : Exception(description)
{
    public long? MigrateTo { get; } = migrateTo;

    public int Code { get; } = code;
    public string Description { get; } = description;
    public int? RetryAfter { get; } = retryAfter;

    public static BotApiError Unauthorized() => new(401, "Unauthorized");
    public static BotApiError NotFound() => new(404, "Not Found");
    public static BotApiError BadRequest(string what) => new(400, "Bad Request: " + what);
    public static BotApiError TooManyRequests(int retryAfter) => new(429, $"Too Many Requests: retry after {retryAfter}", retryAfter);
    public static BotApiError ConflictOtherPoller() => new(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running");
    public static BotApiError ConflictWebhook() => new(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
}
