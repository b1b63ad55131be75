using Botvisor.Core.Configuration;

namespace Botvisor.Core.Gateway;

/// <summary>
/// <c>liveness.max_poll_gap</c> for a bot that takes its updates by webhook, as a decision over what
/// getWebhookInfo says, one look after another. Updates that have waited at Telegram for the whole gap
/// (the count never went down, never reached 0) mean the bot stopped taking them when Telegram also
/// failed to deliver one meanwhile, or when the count grew while the bot made no call at all. A quiet
/// bot with nothing waiting is never stopped, however long it is silent.
/// </summary>
public sealed class WebhookBacklog
{
    private DateTimeOffset? _since;
    private int _first;
    private int _last;

    /// <summary>One look at <paramref name="info"/>: null while the bot takes its updates; otherwise the reason to restart it.</summary>
    /// <param name="lastCall">When the bot last made a Bot API call through the gateway; null: never.</param>
    public string? Observe(WebhookInfo info, DateTimeOffset now, DateTimeOffset? lastCall, TimeSpan maxGap)
    {
        int pending = info.PendingUpdateCount;
        if (!info.IsSet || pending <= 0)
        {
            _since = null;
            return null;
        }
        if (_since is null || pending < _last)
        {
            _since = now; // a new backlog, or the bot took some of it: the gap starts again
            _first = pending;
        }
        _last = pending;
        var since = _since.Value;
        var waited = now - since;
        if (waited < maxGap) return null;

        string gap = $"liveness.max_poll_gap {DurationParser.Format(maxGap)}";
        string waiting = $"{pending} {(pending == 1 ? "update" : "updates")} waiting at Telegram for {DurationParser.Format(Round(waited))}";
        if (info.LastErrorDate is { } failed && failed >= since)
        {
            string message = string.IsNullOrWhiteSpace(info.LastErrorMessage) ? "" : $": {Shorten(info.LastErrorMessage)}";
            return $"webhook stopped: {waiting} ({gap}); Telegram's last delivery failed {DurationParser.Format(Round(now - failed))} ago{message}; the process was alive";
        }
        if (pending > _first && (lastCall is null || lastCall < since))
        {
            return $"webhook stopped: {waiting} and growing, with no Bot API call from the bot ({gap}); the process was alive";
        }
        return null;
    }

    private static TimeSpan Round(TimeSpan t) => t < TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Floor(t.TotalSeconds));

    private static string Shorten(string text) => text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "…");
}
