namespace Botvisor.Core.Telegram;

/// <summary>
/// Telegram's limits for one bot's messages, per chat: at most one a second to a chat, and at most 20 a
/// minute to a group or channel (a negative chat id); plus a wait a 429's <c>retry_after</c> asked for.
/// Pure: the time comes in with each call.
/// </summary>
public sealed class ChatRateLimiter
{
    public static readonly TimeSpan PerChatInterval = TimeSpan.FromSeconds(1);
    public const int GroupPerMinute = 20;

    private readonly Dictionary<long, Queue<DateTimeOffset>> _sent = [];
    private readonly Dictionary<long, DateTimeOffset> _blockedUntil = [];

    /// <summary>How long to wait before the next message to <paramref name="chatId"/> may be sent (zero: now).</summary>
    public TimeSpan Delay(long chatId, DateTimeOffset now)
    {
        var wait = TimeSpan.Zero;
        if (_blockedUntil.TryGetValue(chatId, out var until) && until > now) wait = until - now;
        if (_sent.TryGetValue(chatId, out var times) && times.Count > 0)
        {
            var sinceLast = now - times.Last();
            if (sinceLast < PerChatInterval) wait = Max(wait, PerChatInterval - sinceLast);
            if (chatId < 0)
            {
                Prune(times, now);
                if (times.Count >= GroupPerMinute) wait = Max(wait, times.Peek() + TimeSpan.FromMinutes(1) - now);
            }
        }
        return wait;
    }

    /// <summary>A message was sent to <paramref name="chatId"/> at <paramref name="now"/>.</summary>
    public void Sent(long chatId, DateTimeOffset now)
    {
        if (!_sent.TryGetValue(chatId, out var times)) _sent[chatId] = times = new Queue<DateTimeOffset>();
        times.Enqueue(now);
        Prune(times, now);
        while (times.Count > GroupPerMinute) times.Dequeue();
    }

    /// <summary>Telegram answered 429 with <c>retry_after</c>: nothing goes to the chat before it has passed.</summary>
    public void RetryAfter(long chatId, TimeSpan retryAfter, DateTimeOffset now) => _blockedUntil[chatId] = now + retryAfter;

    private static void Prune(Queue<DateTimeOffset> times, DateTimeOffset now)
    {
        while (times.Count > 1 && now - times.Peek() >= TimeSpan.FromMinutes(1)) times.Dequeue();
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
