using Botvisor.Core.Logs;
using Botvisor.Api.Contracts;
using Botvisor.Api.Responses;
using Botvisor.Api.Text;
using Botvisor.Core.Health;
using Botvisor.Core.Reconciliation;
using Botvisor.Core.State;
using Botvisor.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Botvisor.Api.Endpoints;

internal static class StatusEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/status", GetStatus).WithName(nameof(GetStatus)).RequireBotvisorApi("daemon")
            .WithSummary("The daemon and every bot: state, pid, uptime, restarts, last exit, health, masked token, source")
            .AlsoProducesText("JSON by default; with `Accept: text/plain`, the table `botvisor status` prints (`color=true` colours the state column; `width=N` leaves out columns and cuts the reason to fit N characters; `verbose=true` adds how limits are enforced).");
    }

    private static async Task<Results<BufferedJsonResult<StatusResponse>, TextResult>> GetStatus(HttpRequest request, bool? color, int? width, bool? verbose, FleetStateService state, FleetReconciler reconciler, ResourceSampler sampler, Core.Cgroups.CgroupSupport cgroups, DaemonOptions options, DaemonClock clock, TimeProvider time, TokenMasker masker, Core.Gateway.GatewayRegistry gateway, Hosting.BotNodes nodes)
    {
        var now = time.GetUtcNow();
        var specs = reconciler.CurrentSpecs;
        var local = state.Snapshots.Select(s => s.ToStatus(specs.GetValueOrDefault(s.Id), now, masker, sampler.Get(s.Id), gateway, nodes)).ToList();
        var bots = await nodes.CompleteAsync(local, ClusterPeers.FromPeer(request));
        var daemon = new DaemonStatus
        {
            Pid = Environment.ProcessId,
            Version = typeof(StatusEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            StartedAt = clock.StartedAt,
            UptimeSeconds = Math.Round((now - clock.StartedAt).TotalSeconds, 3),
            Config = options.ConfigPath,
            StateDirectory = options.StateDirectory,
            Bots = bots.Count,
            States = bots.GroupBy(b => b.State).ToDictionary(g => g.Key, g => g.Count()),
            Node = nodes.Self,
            Cgroups = Cgroups(cgroups),
        };
        var status = new StatusResponse(daemon, bots);
        return TextResult.JsonOrText(request, status, ApiJsonContext.Default.StatusResponse, bots.Count + 5, text => StatusText.Status(text, status, color == true, width, verbose == true));
    }

    private static CgroupsInfo Cgroups(Core.Cgroups.CgroupSupport support)
    {
        var controllers = support.Tree?.Controllers.Order(StringComparer.Ordinal).ToArray() ?? [];
        return new CgroupsInfo(
            support.Tree is not null,
            support.Tree?.Path,
            controllers,
            controllers.Contains("memory") ? LimitEnforcement.Cgroup : LimitEnforcement.Watched,
            controllers.Contains("cpu") ? LimitEnforcement.Cgroup : LimitEnforcement.NotEnforced,
            support.Description);
    }
}
