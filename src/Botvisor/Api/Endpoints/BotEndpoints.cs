using Botvisor.Core.Logs;
using Botvisor.Api.Auth;
using Botvisor.Api.Contracts;
using Botvisor.Api.Responses;
using Botvisor.Api.Text;
using Botvisor.Core.Health;
using Botvisor.Core.Reconciliation;
using Botvisor.Core.State;
using Botvisor.Core.Supervision;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Botvisor.Api.Endpoints;

internal static class BotEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/bots", ListBots).WithName(nameof(ListBots)).RequireBotvisorApi("bots")
            .WithSummary("Every bot with its state; in a cluster every bot of the cluster, as its node shows it (`node=NAME`: only that node's)")
            .AlsoProducesText("JSON by default; with `Accept: text/plain`, the table `botvisor ls` prints (`color=true` colours the state column; `width=N` fits it to N characters).");
        app.MapPost("/bots", AddBot).WithName(nameof(AddBot)).RequireBotvisorApi("bots")
            .Accepts<BotDefinition>(ApiConventions.DefinitionContentType, ApiConventions.DefinitionContentTypes)
            .Produces<BotStatus>(StatusCodes.Status201Created)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Add a bot (stored; survives a restart of the daemon; 503 and nothing changed when the state directory cannot be written, e.g. a full disk)");
        app.MapGet("/bots/{id}", GetBot).WithName(nameof(GetBot)).RequireBotvisorApi("bots")
            .ProducesProblem(StatusCodes.Status404NotFound).WithSummary("One bot");
        app.MapPut("/bots/{id}", ReplaceBot).WithName(nameof(ReplaceBot)).RequireBotvisorApi("bots")
            .Accepts<BotDefinition>(ApiConventions.DefinitionContentType, ApiConventions.DefinitionContentTypes)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Replace a bot added through the API (bots of the fleet file answer 409)");
        app.MapDelete("/bots/{id}", RemoveBot).WithName(nameof(RemoveBot)).RequireBotvisorApi("bots")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Stop and remove a bot added through the API (bots of the fleet file answer 409)");
        app.MapPost("/bots/{id}/start", StartBot).WithName(nameof(StartBot)).RequireBotvisorApi("bots")
            .ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Start a bot; answers once it is running (or failed)");
        app.MapPost("/bots/{id}/stop", StopBot).WithName(nameof(StopBot)).RequireBotvisorApi("bots")
            .ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Stop a bot; answers once its whole process group is gone");
        app.MapPost("/bots/{id}/restart", RestartBot).WithName(nameof(RestartBot)).RequireBotvisorApi("bots")
            .ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Restart a bot; answers once the new worker runs");
    }

    /// <param name="node">Only the bots this node runs (in a cluster).</param>
    private static async Task<Results<BufferedJsonResult<List<BotStatus>>, TextResult>> ListBots(HttpRequest request, bool? color, int? width, string? node, FleetStateService state, FleetReconciler reconciler, ResourceSampler sampler, TimeProvider time, TokenMasker masker, Core.Gateway.GatewayRegistry gateway, Hosting.BotNodes nodes)
    {
        var specs = reconciler.CurrentSpecs;
        var now = time.GetUtcNow();
        var local = state.Snapshots.Select(s => s.ToStatus(specs.GetValueOrDefault(s.Id), now, masker, sampler.Get(s.Id), gateway, nodes)).ToList();
        var bots = await nodes.CompleteAsync(local, Hosting.ClusterPeers.FromPeer(request));
        if (node is not null) bots = bots.Where(b => b.Node == node).ToList();
        return TextResult.JsonOrText(request, bots, ApiJsonContext.Default.ListBotStatus, bots.Count + 1, text => StatusText.Bots(text, bots, color == true, width));
    }

    private static async Task<BotStatus> GetBot(string id, HttpRequest request, FleetStateService state, FleetReconciler reconciler, ResourceSampler sampler, TimeProvider time, TokenMasker masker, Core.Gateway.GatewayRegistry gateway, Hosting.BotNodes nodes)
    {
        var local = state.Get(id)?.ToStatus(reconciler.Find(id)?.Spec, time.GetUtcNow(), masker, sampler.Get(id), gateway, nodes);
        return await nodes.CompleteAsync(id, local, Hosting.ClusterPeers.FromPeer(request)) ?? throw new BotNotFoundException(id);
    }

    private static async Task<IResult> AddBot(HttpContext context, FleetController controller, FleetStateService state, TimeProvider time, TokenMasker masker)
    {
        var body = await ApiConventions.ReadBodyAsync(context.Request, context.RequestAborted);
        var spec = await controller.AddBotAsync(body, ApiCaller.Get(context));
        var snapshot = state.Get(spec.Id) ?? new BotSnapshot { Id = spec.Id };
        return TypedResults.Created($"/bots/{spec.Id}", snapshot.ToStatus(spec, time.GetUtcNow(), masker));
    }

    private static async Task<BotStatus> ReplaceBot(string id, HttpContext context, FleetController controller, FleetStateService state, TimeProvider time, TokenMasker masker)
    {
        var body = await ApiConventions.ReadBodyAsync(context.Request, context.RequestAborted);
        var spec = await controller.ReplaceBotAsync(id, body, ApiCaller.Get(context));
        return (state.Get(id) ?? new BotSnapshot { Id = id }).ToStatus(spec, time.GetUtcNow(), masker);
    }

    private static async Task<IResult> RemoveBot(string id, HttpContext context, FleetController controller)
    {
        await controller.RemoveBotAsync(id, ApiCaller.Get(context));
        return TypedResults.NoContent();
    }

    private static Task<BotStatus> StartBot(string id, HttpContext context, FleetController controller, FleetReconciler reconciler, TimeProvider time, TokenMasker masker) =>
        Command(id, BotCommand.Start, context, controller, reconciler, time, masker);

    private static Task<BotStatus> StopBot(string id, HttpContext context, FleetController controller, FleetReconciler reconciler, TimeProvider time, TokenMasker masker) =>
        Command(id, BotCommand.Stop, context, controller, reconciler, time, masker);

    private static Task<BotStatus> RestartBot(string id, HttpContext context, FleetController controller, FleetReconciler reconciler, TimeProvider time, TokenMasker masker) =>
        Command(id, BotCommand.Restart, context, controller, reconciler, time, masker);

    private static async Task<BotStatus> Command(string id, BotCommand command, HttpContext context, FleetController controller, FleetReconciler reconciler, TimeProvider time, TokenMasker masker)
    {
        var snapshot = await controller.CommandAsync(id, command, ApiCaller.Get(context));
        return snapshot.ToStatus(reconciler.Find(id)?.Spec, time.GetUtcNow(), masker);
    }
}
