using System.Buffers;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
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

    /// <summary>
    /// Writes the stream itself (with <see cref="SseFormatter"/>) so that the response starts at once:
    /// a client that subscribes before anything happens must see the stream open, not wait for the first event.
    /// </summary>
    private static async Task GetEvents(HttpContext context, EventFeed feed, long? after, string? bot, int? tail, bool? follow)
    {
        long resumeAfter = after ?? 0;
        if (long.TryParse(context.Request.Headers["Last-Event-ID"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var lastId)) resumeAfter = lastId;
        var ct = context.RequestAborted;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(ct);
        await response.Body.FlushAsync(ct);
        try
        {
            var items = Stream(feed, resumeAfter, follow ?? true, bot, Math.Clamp(tail ?? 100, 0, 10_000), ct);
            await SseFormatter.WriteAsync(items, response.Body, Format, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static void Format(SseItem<EventInfo> item, IBufferWriter<byte> buffer)
    {
        using var writer = new Utf8JsonWriter(buffer);
        JsonSerializer.Serialize(writer, item.Data, ApiJsonContext.Default.EventInfo);
    }

    private static async IAsyncEnumerable<SseItem<EventInfo>> Stream(EventFeed feed, long after, bool follow, string? bot, int tail, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in feed.ReadAsync(after, follow, bot, tail, ct))
        {
            yield return new SseItem<EventInfo>(e.ToInfo(), e.Kind) { EventId = e.Id.ToString(CultureInfo.InvariantCulture) };
        }
    }
}
