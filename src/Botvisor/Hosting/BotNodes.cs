using Botvisor.Core.Cluster;

namespace Botvisor.Hosting;

/// <summary>Which node runs a bot, for status: in a cluster the holder of its lease; on a daemon on its own, none.</summary>
public sealed class BotNodes(IServiceProvider services)
{
    private readonly ClusterCoordinator? _coordinator = services.GetService<ClusterCoordinator>();

    public string? Of(string botId) => _coordinator?.HolderOf(botId);
}
