using Botvisor.Core.Cluster;
using Botvisor.Core.Reconciliation;
using Botvisor.Core.Storage;
using Botvisor.Storage.Postgres;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Botvisor.Hosting;

/// <summary>The cluster's services: the PostgreSQL store, the node's leases (its <see cref="ILeaseFence"/>), the coordinator and the guardian.</summary>
public static class ClusterHosting
{
    public static void Add(IServiceCollection services, DaemonOptions options, ClusterOptions cluster)
    {
        services.AddSingleton(cluster);
        // This daemon's own id: a name belongs to one live daemon at a time (the store checks it before publishing).
        string instance = Guid.NewGuid().ToString("N");
        services.AddSingleton<PostgresFleetStore>(_ => new PostgresFleetStore(cluster.Store, cluster.Node, instance, cluster.Timing.Lease));
        services.AddSingleton<IFleetStore>(sp => sp.GetRequiredService<PostgresFleetStore>());
        services.AddSingleton<IClusterStore>(sp => sp.GetRequiredService<PostgresFleetStore>());
        // The fleet file is the cluster's: FleetController publishes it or runs the cluster's instead.
        services.AddSingleton<IClusterFleetStore>(sp => sp.GetRequiredService<PostgresFleetStore>());
        services.AddSingleton(sp => new LocalLeases(sp.GetRequiredService<TimeProvider>(), cluster.Timing));
        // Replaces the one-node fence the gateway registers (TryAdd): in a cluster a bot is held only with its lease.
        services.AddSingleton<ILeaseFence>(sp => sp.GetRequiredService<LocalLeases>());
        services.AddSingleton(sp => new ClusterCoordinator(
            sp.GetRequiredService<IClusterStore>(), sp.GetRequiredService<LocalLeases>(),
            new NodeRegistration(cluster.Node, Program.VersionLine().Split(' ')[1], cluster.Advertise ?? options.Listen, Instance: instance),
            sp.GetRequiredService<FleetReconciler>(), sp.GetRequiredService<StoreWriter>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ClusterCoordinator>>()));
        services.AddSingleton<ClusterPeers>();
        services.AddSingleton<PeerBots>();
        services.AddSingleton(sp => new WorkerGuardian(options.WorkerMark, sp.GetRequiredService<Core.Supervision.ChildReaper>(), sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<StoreWriter>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WorkerGuardian>>()));
        services.AddHostedService<ClusterService>();
    }
}

/// <summary>
/// Joins the cluster once the fleet is defined and a predecessor's workers are ended (it is registered after
/// <see cref="FleetDaemonService"/>, so it starts after it), and on shutdown hands every bot over: its workers
/// stop while the leases are still renewed, then the leases are released (it stops before the daemon service).
/// </summary>
internal sealed class ClusterService(ClusterCoordinator coordinator, WorkerGuardian guardian, FleetReconciler reconciler, FleetController controller,
    ClusterPeers peers, IClusterStore store, ClusterOptions cluster, IServer server, IHostApplicationLifetime lifetime) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        peers.SetSecret(await store.ClusterSecretAsync(cancellationToken).ConfigureAwait(false));
        coordinator.SyncStoredBots = () => controller.SyncStoredBotsAsync("cluster");
        coordinator.SyncFleet = generation => controller.SyncClusterFleetAsync("cluster", generation);
        coordinator.Mark = () => controller.Mark;
        guardian.Start(); // before any worker: the first one spawns after a lease is taken
        // The node joins once the API is bound: its first heartbeat carries an address the others can reach (port 0 is known only then).
        lifetime.ApplicationStarted.Register(() =>
        {
            var bound = server.Features.Get<IServerAddressesFeature>()?.Addresses
                .FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal) && !a.StartsWith("http://unix:", StringComparison.Ordinal));
            if (cluster.Advertise is null && bound is not null) coordinator.Advertise(bound);
            coordinator.Start();
        });
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await coordinator.LeaveAsync(() => reconciler.StopAllAsync("daemon shutting down: its bots are handed over")).ConfigureAwait(false);
        await coordinator.DisposeAsync().ConfigureAwait(false);
        guardian.Dispose();
    }
}
