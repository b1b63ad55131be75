using Botvisor.Api.Contracts;

namespace Botvisor.Api.Endpoints;

internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health", GetHealth).WithName(nameof(GetHealth)).WithTags("daemon")
            .WithSummary("Liveness of the daemon (no token needed)");
    }

    private static HealthResponse GetHealth() => new("ok");
}
