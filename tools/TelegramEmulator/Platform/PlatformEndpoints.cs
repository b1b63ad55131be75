using System.Globalization;
using System.Text.Json.Nodes;

namespace TelegramEmulator.Platform;

/// <summary>
/// The platform's API, shaped like Sensay's: <c>GET /v1/replicas?integration=telegram&amp;page_index=1&amp;page_size=100</c>
/// with <c>X-ORGANIZATION-SECRET</c>, answering <c>{"items": […], "total": N}</c> with an ETag (304 on
/// <c>If-None-Match</c>). Controlled under <c>/_platform</c>: replicas put, patched and deleted, faults
/// switched on, counters read.
/// </summary>
public static class PlatformEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/replicas", ListAsync);

        var control = app.MapGroup("/_platform");
        control.MapPut("/replicas/{slug}", async (string slug, HttpContext ctx, ReplicaPlatform platform, BotRegistry registry) =>
        {
            var body = await ReadAsync(ctx);
            var token = body?["token"]?.GetValue<string>();
            var service = body?["service_name"]?.GetValue<string>() ?? "default";
            if (string.IsNullOrEmpty(token)) return Json(400, new JsonObject { ["error"] = "token is required" });
            // A well-formed token the Telegram side does not know yet is registered, so the bot can poll.
            if (TokenFormat.IsWellFormed(token) && registry.Find(token) is null && body?["register"]?.GetValue<bool>() != false)
            {
                registry.Register(slug.Replace('-', '_') + "_bot", token);
            }
            bool? enabled = body?["is_active"] is { } a ? a.GetValue<bool>() : null;
            return Json(200, platform.Put(slug, token, service, body?["uuid"]?.GetValue<string>(), body?["owner_uuid"]?.GetValue<string>(), enabled));
        });
        control.MapPatch("/replicas/{slug}", async (string slug, HttpContext ctx, ReplicaPlatform platform) =>
        {
            var body = await ReadAsync(ctx);
            var path = body?["path"]?.GetValue<string>();
            if (string.IsNullOrEmpty(path)) return Json(400, new JsonObject { ["error"] = "path is required" });
            return platform.Patch(slug, path, body?["value"]) ? Json(200, new JsonObject { ["patched"] = path }) : Json(404, new JsonObject { ["error"] = "no such replica" });
        });
        control.MapDelete("/replicas/{slug}", (string slug, ReplicaPlatform platform) =>
            platform.Remove(slug) ? Results.NoContent() : Json(404, new JsonObject { ["error"] = "no such replica" }));
        control.MapDelete("/replicas", (ReplicaPlatform platform) =>
        {
            platform.Clear();
            return Results.NoContent();
        });
        control.MapPost("/fault", async (HttpContext ctx, ReplicaPlatform platform) =>
        {
            var body = await ReadAsync(ctx);
            var mode = body?["mode"]?.GetValue<string>() ?? "none";
            if (!Enum.TryParse<PlatformFault>(mode.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var fault))
            {
                return Json(400, new JsonObject { ["error"] = "mode is one of none, error500, timeout, malformed, missing_page, empty, redirect, huge, slow, truncated" });
            }
            platform.SetFault(fault, body?["count"]?.GetValue<int>());
            return Json(200, new JsonObject { ["fault"] = fault.ToString() });
        });
        control.MapGet("/stats", (ReplicaPlatform platform) => Json(200, platform.Stats()));
        control.MapPost("/secret", async (HttpContext ctx, ReplicaPlatform platform) =>
        {
            platform.Secret = (await ReadAsync(ctx))?["secret"]?.GetValue<string>();
            return Results.NoContent();
        });
    }

    private static async Task<IResult> ListAsync(HttpContext ctx, ReplicaPlatform platform, int? page_index, int? page_size)
    {
        if (platform.Secret is { } secret && ctx.Request.Headers["X-ORGANIZATION-SECRET"].ToString() != secret)
        {
            return Json(401, new JsonObject { ["success"] = false, ["error"] = "invalid organization secret" });
        }
        int index = Math.Max(1, page_index ?? 1), size = Math.Clamp(page_size ?? 100, 1, 1000);
        using var inFlight = platform.InFlight();
        switch (platform.TakeFault())
        {
            case PlatformFault.Redirect:
                return Results.Redirect("http://127.0.0.2:9/steal", permanent: false);
            case PlatformFault.Huge:
                return Results.Bytes(new byte[20 * 1024 * 1024], "application/json");
            case PlatformFault.Truncated:
                ctx.Response.ContentType = "application/json";
                ctx.Response.ContentLength = 4096;
                await ctx.Response.Body.WriteAsync("{\"items\": [{\"slug\": \"x\"}"u8.ToArray(), ctx.RequestAborted);
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                await Task.Delay(200, ctx.RequestAborted); // the client has the headers and is reading the body
                ctx.Abort();
                return Results.Empty;
            case PlatformFault.Slow:
                await Task.Delay(300, ctx.RequestAborted);
                break;
            case PlatformFault.Error500:
                return Json(500, new JsonObject { ["success"] = false, ["error"] = "internal error" });
            case PlatformFault.Timeout:
                await Task.Delay(TimeSpan.FromMinutes(1), ctx.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return Results.Empty;
            case PlatformFault.Malformed:
                return Results.Content("{\"items\": [{\"slug\": ", "application/json");
            case PlatformFault.MissingPage when index > 1:
                return Json(404, new JsonObject { ["success"] = false, ["error"] = "page not found" });
            case PlatformFault.Empty:
                return Json(200, new JsonObject { ["success"] = true, ["items"] = new JsonArray(), ["total"] = 0 });
        }
        var (items, total, version) = platform.Page(index, size);
        var etag = $"\"v{version.ToString(CultureInfo.InvariantCulture)}-{index.ToString(CultureInfo.InvariantCulture)}-{size.ToString(CultureInfo.InvariantCulture)}\"";
        if (ctx.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            platform.CountNotModified();
            ctx.Response.Headers.ETag = etag;
            return Results.StatusCode(304);
        }
        ctx.Response.Headers.ETag = etag;
        return Json(200, new JsonObject { ["success"] = true, ["items"] = new JsonArray([.. items]), ["total"] = total });
    }

    private static async Task<JsonNode?> ReadAsync(HttpContext ctx)
    {
        try
        {
            return await JsonNode.ParseAsync(ctx.Request.Body);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static IResult Json(int status, JsonNode body) => Results.Content(body.ToJsonString(), "application/json", statusCode: status);
}
