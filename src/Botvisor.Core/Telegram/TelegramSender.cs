using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Telegram;

/// <summary>What became of a message.</summary>
public sealed record SendOutcome(bool Sent, long ChatId, string? Failure = null, bool Permanent = false)
{
    public long? LastMessageId { get; init; }
}

/// <summary>
/// Sends the daemon's own messages within Telegram's limits: long HTML split into parts of 4,096
/// characters without breaking markup; per-chat pacing (<see cref="ChatRateLimiter"/>); a 429's
/// <c>retry_after</c> honoured; a group that became a supergroup followed to its new id
/// (<c>migrate_to_chat_id</c>); network errors retried with backoff; permanent failures (the bot was
/// blocked or removed, the chat is gone) recognised, reported once, and the chat skipped from then on.
/// Messages to one chat go out in order, one at a time.
/// </summary>
public sealed partial class TelegramSender
{
    private const int MaxAttempts = 6;
    private readonly ITelegramBotApi _api;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ChatRateLimiter _limiter = new();
    private readonly Lock _limiterGate = new();
    private readonly ConcurrentDictionary<long, SemaphoreSlim> _chatGates = new();
    private readonly ConcurrentDictionary<long, long> _migrated = new();
    private readonly ConcurrentDictionary<long, string> _dead = new();

    public TelegramSender(ITelegramBotApi api, TimeProvider time, ILogger logger)
    {
        _api = api;
        _time = time;
        _logger = logger;
    }

    /// <summary>Called once per chat that migrated (old id, new id) and once per chat that failed for good (id, reason).</summary>
    public event Action<long, long>? ChatMigrated;

    public event Action<long, string>? ChatFailed;

    /// <summary>Where messages for <paramref name="chatId"/> go now (a migrated group's new id).</summary>
    public long Resolve(long chatId) => _migrated.TryGetValue(chatId, out var to) ? to : chatId;

    public async Task<SendOutcome> SendAsync(long chatId, string html, IReadOnlyList<InlineButton>? buttons, CancellationToken cancellationToken)
    {
        var parts = MessageSplitter.Split(html);
        SendOutcome outcome = new(true, chatId);
        for (int i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            outcome = await SendOneAsync(chatId, (chat, ct) => _api.SendMessageAsync(chat, part, i == parts.Count - 1 ? buttons : null, ct), cancellationToken).ConfigureAwait(false);
            if (!outcome.Sent) return outcome;
        }
        return outcome;
    }

    public Task<SendOutcome> SendDocumentAsync(long chatId, string fileName, ReadOnlyMemory<byte> content, string? captionHtml, CancellationToken cancellationToken) =>
        SendOneAsync(chatId, (chat, ct) => _api.SendDocumentAsync(chat, fileName, content, captionHtml, ct), cancellationToken);

    private async Task<SendOutcome> SendOneAsync(long chatId, Func<long, CancellationToken, Task<TelegramResult<long>>> send, CancellationToken cancellationToken)
    {
        var gate = _chatGates.GetOrAdd(chatId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var backoff = TimeSpan.FromSeconds(1);
            string lastFailure = "";
            for (int attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                long chat = Resolve(chatId);
                if (_dead.TryGetValue(chat, out var why)) return new SendOutcome(false, chat, why, Permanent: true);
                TimeSpan delay;
                lock (_limiterGate) delay = _limiter.Delay(chat, _time.GetUtcNow());
                if (delay > TimeSpan.Zero) await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);

                var result = await send(chat, cancellationToken).ConfigureAwait(false);
                lock (_limiterGate) _limiter.Sent(chat, _time.GetUtcNow());
                if (result.Failure is not { } failure) return new SendOutcome(true, chat) { LastMessageId = result.Value };
                lastFailure = failure.ToString();

                if (failure.MigrateToChatId is { } newId && newId != chat)
                {
                    if (_migrated.TryAdd(chatId, newId))
                    {
                        Log.ChatMigrated(_logger, chatId, newId);
                        ChatMigrated?.Invoke(chatId, newId);
                    }
                    continue;
                }
                if (failure.Kind == TelegramFailureKind.RateLimited)
                {
                    var wait = failure.RetryAfter ?? backoff;
                    lock (_limiterGate) _limiter.RetryAfter(chat, wait, _time.GetUtcNow());
                    Log.RateLimited(_logger, chat, wait.TotalSeconds);
                    continue;
                }
                if (IsPermanent(failure))
                {
                    if (_dead.TryAdd(chat, lastFailure))
                    {
                        Log.ChatFailed(_logger, chat, lastFailure);
                        ChatFailed?.Invoke(chat, lastFailure);
                    }
                    return new SendOutcome(false, chat, lastFailure, Permanent: true);
                }
                if (failure.Kind is not TelegramFailureKind.Unreachable) return new SendOutcome(false, chat, lastFailure);
                await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
            return new SendOutcome(false, Resolve(chatId), lastFailure);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Failures that sending again will not cure: the bot was blocked, kicked or never added (403), the
    /// chat does not exist or was deleted (400 "chat not found"), the user was deactivated, the token rejected.
    /// </summary>
    public static bool IsPermanent(TelegramFailure failure) =>
        failure.Kind == TelegramFailureKind.Rejected && failure.ErrorCode == 401
        || failure.ErrorCode == 403
        || failure.ErrorCode == 400 && (failure.Description.Contains("chat not found", StringComparison.OrdinalIgnoreCase)
                                        || failure.Description.Contains("user is deactivated", StringComparison.OrdinalIgnoreCase)
                                        || failure.Description.Contains("bot was kicked", StringComparison.OrdinalIgnoreCase)
                                        || failure.Description.Contains("have no rights", StringComparison.OrdinalIgnoreCase));

    private static partial class Log
    {
        [LoggerMessage(EventId = Diagnostics.LogEventIds.AdminChatMigrated, Level = LogLevel.Warning, Message = "Admin bot: chat {OldChatId} became the supergroup {NewChatId}; messages follow it (put {NewChatId} in admin.chats)")]
        public static partial void ChatMigrated(ILogger logger, long oldChatId, long newChatId);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.AdminChatFailed, Level = LogLevel.Error, Message = "Admin bot: chat {ChatId} cannot be written to ({Reason}); it is skipped until the daemon restarts")]
        public static partial void ChatFailed(ILogger logger, long chatId, string reason);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.AdminRateLimited, Level = LogLevel.Information, Message = "Admin bot: Telegram asked to wait {Seconds}s before writing to chat {ChatId} again")]
        public static partial void RateLimited(ILogger logger, long chatId, double seconds);
    }
}
