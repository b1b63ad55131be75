using Botvisor.Api.Contracts;
using Botvisor.Core.Logs;
using Botvisor.Core.Reconciliation;

namespace Botvisor.Api.Endpoints;

/// <summary><c>GET /bots/{id}/definition</c>: what the daemon runs for a bot, every default applied, no secret shown.</summary>
internal static class DefinitionEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/bots/{id}/definition", GetDefinition).WithName(nameof(GetDefinition)).RequireBotvisorApi("bots")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The bot's definition as the daemon resolved it: defaults applied, durations as the fleet file writes them, tokens masked, the environment by names only");
    }

    private static ResolvedDefinition GetDefinition(string id, FleetReconciler reconciler, TokenMasker masker) =>
        (reconciler.Find(id) ?? throw new BotNotFoundException(id)).Spec.ToDefinition(masker);
}
