using System.Globalization;
using Botvisor.Core.Logs;
using Botvisor.Core.Reconciliation;

namespace Botvisor.Api.Endpoints;

internal static class LogEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/bots/{id}/logs", GetLogs).WithName(nameof(GetLogs)).RequireBotvisorApi("bots")
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The bot's recent output, one line per line: time, stream, text (tokens masked); follow=true keeps streaming");
    }

    private static async Task<IResult> GetLogs(string id, FleetReconciler reconciler, HttpContext context, int? tail, bool? follow)
    {
        var supervisor = reconciler.Find(id) ?? throw new BotNotFoundException(id);
        int n = Math.Clamp(tail ?? 100, 0, BotLog.DefaultRingCapacity);
        var response = context.Response;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        var ct = context.RequestAborted;
        if (follow != true)
        {
            foreach (var line in supervisor.Output.Tail(n)) await response.WriteAsync(Format(line), ct);
            return Results.Empty;
        }
        await response.StartAsync(ct);
        await response.Body.FlushAsync(ct); // the stream opens at once, before a quiet bot's first line
        try
        {
            await foreach (var line in supervisor.Output.FollowAsync(n, ct))
            {
                await response.WriteAsync(Format(line), ct);
                await response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        return Results.Empty;
    }

    private static string Format(LogLine line) =>
        string.Create(CultureInfo.InvariantCulture, $"{line.Time.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {line.StreamName} {line.Text}\n");
}
