namespace Botvisor.Core.Gateway;

/// <summary>
/// What the gateway keeps per bot id across its worker runs: the counters, the run whose placeholder is
/// live now, and the <see cref="GatewayLine"/> of its token (poll slot and <c>retry_after</c> hold, shared
/// with any other id that has the same token).
/// </summary>
public sealed class GatewayBot
{
    private GatewayRun? _current;
    private GatewayLine _line;
    private int _webhook;

    internal GatewayBot(string id, GatewayLine line, TimeProvider time)
    {
        Id = id;
        _line = line;
        Stats = new GatewayStats(time);
    }

    public string Id { get; }

    /// <summary>The poll slot and hold of the bot's token (as of its latest run).</summary>
    public GatewayLine Line
    {
        get => Volatile.Read(ref _line);
        internal set => Volatile.Write(ref _line, value);
    }

    public PollSlot Poll => Line.Poll;
    public FloodHold Flood => Line.Flood;
    public GatewayStats Stats { get; }

    /// <summary>
    /// Whether the bot takes its updates by webhook: a setWebhook went through the gateway (or Telegram's
    /// getWebhookInfo said so) and no deleteWebhook or answered getUpdates since. Liveness then watches
    /// Telegram's pending updates instead of getUpdates.
    /// </summary>
    public bool TakesWebhook => Volatile.Read(ref _webhook) == 1;

    public void WebhookSet() => Volatile.Write(ref _webhook, 1);

    public void WebhookDeleted() => Volatile.Write(ref _webhook, 0);

    /// <summary>The run whose placeholder is live, if any.</summary>
    public GatewayRun? Current => Volatile.Read(ref _current);

    internal GatewayRun? Exchange(GatewayRun? run) => Interlocked.Exchange(ref _current, run);

    internal void ClearIf(GatewayRun run) => Interlocked.CompareExchange(ref _current, null, run);
}
