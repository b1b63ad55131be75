namespace Botvisor.Core.Cluster;

/// <summary>
/// Whether this node may act for a bot right now: in a cluster, whether it holds the bot's lease and
/// its renew deadline (on the monotonic clock) has not passed. The gateway asks it before forwarding
/// a bot's call to Telegram, so a frozen or cut-off node's workers cannot reach Telegram even before
/// they are killed.
/// </summary>
public interface ILeaseFence
{
    /// <summary>The epoch of this node's lease on <paramref name="botId"/> when it may act for the bot now; otherwise null.</summary>
    long? HeldEpoch(string botId);

    /// <summary>
    /// Cancelled as soon as this node may no longer act for <paramref name="botId"/> under the lease it holds
    /// now (fenced, handed over, lost); already cancelled when it holds none. The gateway cancels a bot's
    /// calls in flight (long polls, uploads) with it.
    /// </summary>
    CancellationToken Tenure(string botId);
}

/// <summary>One node on its own store: it always holds every bot (epoch 0).</summary>
public sealed class SingleNodeFence : ILeaseFence
{
    public static readonly SingleNodeFence Instance = new();

    public long? HeldEpoch(string botId) => 0;

    public CancellationToken Tenure(string botId) => CancellationToken.None;
}
