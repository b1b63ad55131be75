using Botvisor.Api.Auth;
using Botvisor.Api.Contracts;
using Botvisor.Core.Reconciliation;

namespace Botvisor.Api.Endpoints;

/// <summary>Remote sources (<c>sources:</c>): their status, a fetch now, and accepting a held removal.</summary>
internal static class SourceEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/sources", List).WithName("ListSources").RequireBotvisorApi("sources")
            .WithSummary("Every remote source: URL (credentials masked), last fetch and result, generation, bots, rejected entries with reasons, held removals");
        app.MapGet("/sources/{name}", Get).WithName("GetSource").RequireBotvisorApi("sources")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One remote source");
        app.MapPost("/sources/{name}/sync", Sync).WithName("SyncSource").RequireBotvisorApi("sources")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Fetch the source now (a platform pushing a change) and answer what the fetch gave; fetches of one source never overlap");
        app.MapPost("/sources/{name}/accept", Accept).WithName("AcceptSource").RequireBotvisorApi("sources")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Apply the removal held by the removal brake (the last fetch's list, bots missing from it removed)");
    }

    private static List<SourceInfo> List(FleetController controller) => controller.Sources.Select(SourceInfo.From).ToList();

    private static SourceInfo Get(string name, FleetController controller) =>
        controller.Sources.FirstOrDefault(s => s.Name == name) is { } status ? SourceInfo.From(status)
            : throw new SourceNotFoundException(name, controller.Sources.Select(s => s.Name).ToList());

    private static async Task<SourceOutcomeInfo> Sync(string name, HttpContext context, FleetController controller)
    {
        var outcome = await controller.SyncSourceAsync(name, ApiCaller.Get(context), context.RequestAborted);
        return new SourceOutcomeInfo(outcome.Ok, outcome.Result, SourceInfo.From(outcome.Status));
    }

    private static async Task<SourceOutcomeInfo> Accept(string name, HttpContext context, FleetController controller)
    {
        var outcome = await controller.AcceptSourceAsync(name, ApiCaller.Get(context), context.RequestAborted);
        return new SourceOutcomeInfo(outcome.Ok, outcome.Result, SourceInfo.From(outcome.Status));
    }
}
