using Botvisor.Core.Cluster;
using Botvisor.Core.Fleet;
using YamlDotNet.RepresentationModel;

namespace Botvisor.Core.Configuration;

public sealed partial class FleetFileLoader
{
    /// <summary><c>store:</c>, <c>node:</c> and <c>cluster: { lease, renew_deadline, retry, advertise }</c>; the timing's rules are checked here, with the key and value.</summary>
    private ClusterConfig ParseCluster(YamlMappingNode root)
    {
        string? store = null;
        if (Find(root, "store") is { } storeNode && String(storeNode, "store") is { } text)
        {
            if (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || text is "sqlite") store = text;
            // The value may hold a password: it is not repeated in the error.
            else Error("store", storeNode, "expected sqlite or a postgres:// URL such as postgres://botvisor:${PGPASSWORD}@127.0.0.1:5432/botvisor");
        }
        string? node = null;
        if (Find(root, "node") is { } nodeNode && String(nodeNode, "node") is { } name)
        {
            if (NodeNames.Problem(name) is { } problem) Error("node", nodeNode, problem, name);
            else node = name;
        }
        var config = new ClusterConfig { Store = store is "sqlite" ? null : store, Node = node };
        if (Find(root, "cluster") is not { } clusterNode) return config;
        if (clusterNode is not YamlMappingNode map)
        {
            if (!IsNull(clusterNode)) Error("cluster", clusterNode, "expected a mapping such as { lease: 15s, renew_deadline: 10s, retry: 2s }");
            return config;
        }
        CheckKeys(map, "cluster", FleetKeys.Cluster);
        var d = ClusterTiming.Default;
        var timing = new ClusterTiming(Duration(map, "cluster", "lease") ?? d.Lease, Duration(map, "cluster", "renew_deadline") ?? d.RenewDeadline, Duration(map, "cluster", "retry") ?? d.Retry);
        foreach (var (key, message) in timing.Problems())
        {
            var at = Find(map, key) ?? clusterNode;
            Error("cluster." + key, at, message, (at as YamlScalarNode)?.Value);
        }
        string? advertise = null;
        if (Find(map, "advertise") is { } a && String(a, "cluster.advertise") is { } url)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == "http") advertise = url;
            else Error("cluster.advertise", a, "expected an http:// URL such as http://10.0.0.5:7070", url);
        }
        return config with { Timing = timing, Advertise = advertise };
    }
}
