using Botvisor.Api.Auth;
using Botvisor.Api.Contracts;
using Botvisor.Core.Reconciliation;
using Botvisor.Hosting;

namespace Botvisor.Api.Endpoints;

internal static class DaemonEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/reload", Reload).WithName(nameof(Reload)).RequireBotvisorApi("daemon")
            .ProducesValidationProblem()
            .WithSummary("Re-read the fleet file and apply only the difference; a file with errors changes nothing (400 lists them). In a cluster, ?publish=true makes this node's file the cluster's fleet even if it did not change");
        app.MapPost("/shutdown", Shutdown).WithName(nameof(Shutdown)).RequireBotvisorApi("daemon")
            .Produces<ShutdownResponse>(StatusCodes.Status202Accepted)
            .WithSummary("Stop every bot and end the daemon");
    }

    private static async Task<IResult> Reload(HttpContext context, FleetDaemonService daemon, bool? publish)
    {
        var result = await daemon.ReloadAsync(ApiCaller.Get(context), publish == true);
        if (!result.Succeeded) return Problems.ApiProblems.Invalid(result.Errors, "The fleet file has errors; nothing was changed");
        var d = result.Diff!;
        return TypedResults.Ok(new ReloadResponse(d.Added.Count, d.Changed.Count, d.Removed.Count, d.Unchanged.Count, result.Note is null ? d.ToString() : $"{d}; {result.Note}"));
    }

    private static IResult Shutdown(HttpContext context, FleetController controller, IHostApplicationLifetime lifetime)
    {
        controller.Audit(ApiCaller.Get(context), "shutdown", null, "accepted");
        context.Response.OnCompleted(() =>
        {
            lifetime.StopApplication();
            return Task.CompletedTask;
        });
        return TypedResults.Accepted((string?)null, new ShutdownResponse("shutting down"));
    }
}
