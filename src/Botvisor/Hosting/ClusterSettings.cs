using Botvisor.Core.Cluster;
using Botvisor.Core.Fleet;
using Botvisor.Storage.Postgres;

namespace Botvisor.Hosting;

/// <summary>
/// The store and the node as <c>botvisor run</c> resolves them: <c>BOTVISOR_STORE</c> over the fleet file's
/// <c>store:</c> (a postgres:// URL makes a cluster node; none or <c>sqlite</c>, one node on SQLite as before),
/// <c>BOTVISOR_NODE</c> over <c>node:</c> over the host name.
/// </summary>
public static class ClusterSettings
{
    public static (ClusterOptions? Cluster, string? Error) Resolve(ClusterConfig config, string configPath)
    {
        string? store = Environment.GetEnvironmentVariable("BOTVISOR_STORE") is { Length: > 0 } env ? env : config.Store;
        if (store is null or "sqlite") return (null, null);
        if (!PostgresConnectionString.IsPostgres(store))
        {
            return (null, "BOTVISOR_STORE is neither sqlite nor a postgres:// URL such as postgres://botvisor:secret@127.0.0.1:5432/botvisor");
        }
        try
        {
            PostgresConnectionString.ToNpgsql(store);
        }
        catch (ArgumentException ex)
        {
            return (null, $"the store ({(Environment.GetEnvironmentVariable("BOTVISOR_STORE") is { Length: > 0 } ? "BOTVISOR_STORE" : configPath + ": store")}): {ex.Message}");
        }
        string node = Environment.GetEnvironmentVariable("BOTVISOR_NODE") is { Length: > 0 } n ? n : config.Node ?? NodeNames.Default();
        if (NodeNames.Problem(node) is { } problem) return (null, $"the node name '{node}' (BOTVISOR_NODE) is not valid: {problem}");
        return (new ClusterOptions(store, node, config.Advertise, config.Timing), null);
    }
}
