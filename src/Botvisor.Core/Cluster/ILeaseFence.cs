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
}

/// <summary>One node on its own store: it always holds every bot (epoch 0).</summary>
public sealed class SingleNodeFence : ILeaseFence
{
    public static readonly SingleNodeFence Instance = new();

    public long? HeldEpoch(string botId) => 0;
}
