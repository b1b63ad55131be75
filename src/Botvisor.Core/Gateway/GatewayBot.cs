namespace Botvisor.Core.Gateway;

/// <summary>
/// What the gateway keeps per bot (per token) across its worker runs: the one poll slot, the
/// <c>retry_after</c> hold, the counters, and the run whose placeholder is live now.
/// </summary>
public sealed class GatewayBot
{
    private GatewayRun? _current;
    private int _webhook;

    internal GatewayBot(string id, TimeProvider time)
    {
        Id = id;
        Flood = new FloodHold(time);
        Stats = new GatewayStats(time);
    }

    public string Id { get; }
    public PollSlot Poll { get; } = new();
    public FloodHold Flood { get; }
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
