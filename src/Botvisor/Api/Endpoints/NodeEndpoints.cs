using Botvisor.Api.Auth;
using Botvisor.Api.Contracts;
using Botvisor.Core.Cluster;
using Botvisor.Core.Reconciliation;
using Botvisor.Hosting;

namespace Botvisor.Api.Endpoints;

/// <summary><c>/nodes</c>: the cluster's nodes, and draining one.</summary>
internal static class NodeEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/nodes", List).WithName("ListNodes").RequireBotvisorApi("nodes")
            .WithSummary("Every node of the cluster: name, version, address, last heartbeat, bots held, up / suspect / gone / draining");
        app.MapPost("/nodes/{name}/drain", Drain).WithName("DrainNode").RequireBotvisorApi("nodes")
            .WithSummary("Move a node's bots to the other nodes (each a handover: stopped there, then started elsewhere)");
        app.MapPost("/nodes/{name}/undrain", Undrain).WithName("UndrainNode").RequireBotvisorApi("nodes")
            .WithSummary("Let a drained node take bots again");
    }

    private static async Task<IResult> List(IServiceProvider services, FleetReconciler reconciler, FleetController controller, DaemonOptions options)
    {
        if (services.GetService<ClusterCoordinator>() is not { } coordinator)
        {
            // One node on its own store: it holds every bot.
            var self = Environment.MachineName;
            var now = DateTimeOffset.UtcNow;
            return TypedResults.Ok(new NodesResponse(false, self, [new NodeInfo(self, Program.VersionLine().Split(' ')[1], options.Listen, now, 0, reconciler.Supervisors.Count, "up", "")]));
        }
        var view = coordinator.View;
        var held = (view?.Leases ?? []).Where(l => l.Holder is not null && !l.Expired).GroupBy(l => l.Holder!).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        // The cluster's fleet as the store has it (not as this node runs it: a node may be behind).
        var fleet = await controller.ReadClusterFleetHeaderAsync() ?? controller.ClusterFleet;
        var nodes = (view?.Nodes ?? []).Select(n => new NodeInfo(n.Name, n.Version, n.Address, n.HeartbeatAt, Math.Round(n.HeartbeatAge.TotalSeconds, 1),
            held.GetValueOrDefault(n.Name), NodeStates.Classify(n, coordinator.Timing).ToName(), n.Fleet,
            n.File.Length == 0 || fleet is null ? "" : n.File == fleet.Digest ? "same" : "differs")).ToList();
        var info = fleet is null ? null : new ClusterFleetInfo(fleet.Generation, fleet.Node, fleet.Document.Path, fleet.At, fleet.Digest);
        return TypedResults.Ok(new NodesResponse(true, coordinator.Self.Name, nodes, info));
    }

    private static Task<IResult> Drain(string name, HttpContext context, IServiceProvider services) => SetDrainingAsync(name, true, context, services);

    private static Task<IResult> Undrain(string name, HttpContext context, IServiceProvider services) => SetDrainingAsync(name, false, context, services);

    private static async Task<IResult> SetDrainingAsync(string name, bool draining, HttpContext context, IServiceProvider services)
    {
        if (services.GetService<ClusterCoordinator>() is not { } coordinator)
        {
            throw new BotConflictException("this daemon is not part of a cluster (its store is SQLite): there is no other node to move bots to; set store: postgres://… to run several nodes");
        }
        if (!await coordinator.SetDrainingAsync(name, draining, ApiCaller.Get(context)))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"no node is called '{name}'");
        }
        return TypedResults.Ok(new DrainResponse(name, draining));
    }
}
