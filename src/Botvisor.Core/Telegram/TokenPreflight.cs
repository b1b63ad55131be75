using Botvisor.Core.Fleet;

namespace Botvisor.Core.Telegram;

/// <summary>
/// Before a worker with a token starts: getMe (is the token accepted?), then, if asked, deleteWebhook
/// (a leftover webhook makes every getUpdates answer 409). Telegram's <c>retry_after</c> is honoured.
/// </summary>
public static class TokenPreflight
{
    private const int MaxRateLimitWaits = 5;

    public static async Task<TelegramResult<TelegramBotInfo>> RunAsync(ITelegramApi api, BotSpec spec, TimeProvider time, CancellationToken cancellationToken)
    {
        var me = await WithRetryAfterAsync(() => api.GetMeAsync(spec.TelegramApiBaseUrl, spec.Token!, cancellationToken), time, cancellationToken).ConfigureAwait(false);
        if (me.Failure is not null || !spec.TelegramClearWebhook) return me;
        var cleared = await WithRetryAfterAsync(() => api.DeleteWebhookAsync(spec.TelegramApiBaseUrl, spec.Token!, cancellationToken), time, cancellationToken).ConfigureAwait(false);
        return cleared.Failure is { } f ? TelegramResult<TelegramBotInfo>.Fail(f with { Description = "deleteWebhook: " + f.Description }) : me;
    }

    /// <summary>Calls again after Telegram's retry_after, a few times, before giving the 429 back.</summary>
    public static async Task<TelegramResult<T>> WithRetryAfterAsync<T>(Func<Task<TelegramResult<T>>> call, TimeProvider time, CancellationToken cancellationToken)
    {
        for (int i = 0; ; i++)
        {
            var result = await call().ConfigureAwait(false);
            if (result.Failure is not { Kind: TelegramFailureKind.RateLimited, RetryAfter: { } wait } || i >= MaxRateLimitWaits) return result;
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
