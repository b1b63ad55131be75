using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Botvisor.Api.Contracts;
using Botvisor.Core.State;

namespace Botvisor.Api.Endpoints;

internal static class EventEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/events", GetEvents).WithName(nameof(GetEvents)).RequireBotvisorApi("events")
            .Produces<EventInfo>(StatusCodes.Status200OK, "text/event-stream")
            .WithSummary("Server-sent events: state changes, audit entries, daemon messages. Last-Event-ID (or ?after=) resumes from the store; follow=false ends after the backlog");
    }

    private static IResult GetEvents(HttpContext context, EventFeed feed, long? after, string? bot, int? tail, bool? follow)
    {
        long resumeAfter = after ?? 0;
        if (long.TryParse(context.Request.Headers["Last-Event-ID"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var lastId)) resumeAfter = lastId;
        var events = Stream(feed, resumeAfter, follow ?? true, bot, Math.Clamp(tail ?? 100, 0, 10_000), context.RequestAborted);
        return TypedResults.ServerSentEvents(events);
    }

    private static async IAsyncEnumerable<SseItem<EventInfo>> Stream(EventFeed feed, long after, bool follow, string? bot, int tail, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in feed.ReadAsync(after, follow, bot, tail, ct))
        {
            yield return new SseItem<EventInfo>(e.ToInfo(), e.Kind) { EventId = e.Id.ToString(CultureInfo.InvariantCulture) };
        }
    }
}
