using System.Text.Json.Nodes;

namespace TelegramEmulator;

/// <summary>
/// The emulator's own API under <c>/_emulator</c>, for tests and demos: register bots, write to a bot
/// as a user (optionally waiting for its reply), read what it sent, look at its counters, revoke its
/// token, make it flood-limited, make deliveries to its webhook fail.
/// </summary>
public static class ControlEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/_emulator");
        group.MapPost("/bots", async (HttpContext ctx, BotRegistry registry) =>
        {
            var body = await ReadJsonAsync(ctx);
            var username = body?["username"]?.GetValue<string>();
            if (string.IsNullOrWhiteSpace(username)) return Error(400, "username is required");
            var bot = registry.Register(username, body?["token"]?.GetValue<string>());
            return Json(201, new JsonObject { ["id"] = bot.Id, ["username"] = bot.Username, ["token"] = bot.Token });
        });
        group.MapGet("/bots", (BotRegistry registry) =>
            Json(200, new JsonArray(registry.All.Select(b => (JsonNode)new JsonObject { ["id"] = b.Id, ["username"] = b.Username }).ToArray())));
        group.MapPost("/bots/{token}/messages", async (string token, HttpContext ctx, BotRegistry registry, TimeProvider time, int? wait) =>
        {
            if (registry.Find(token) is not { } bot) return Error(404, "no such bot");
            var body = await ReadJsonAsync(ctx);
            var text = body?["text"]?.GetValue<string>();
            if (string.IsNullOrEmpty(text)) return Error(400, "text is required");
            long chatId = body?["chat_id"]?.GetValue<long>() ?? 1001;
            return await InjectAsync(bot, wait, () => bot.InjectMessage(chatId, text, time), new JsonObject(), ctx.RequestAborted);
        });
        // A user sends the bot a document: the request body is the file (?name=…), optionally waiting for the bot's reply.
        group.MapPost("/bots/{token}/documents", async (string token, HttpContext ctx, BotRegistry registry, EmulatedFiles files, TimeProvider time, string? name, long? chat_id, int? wait) =>
        {
            if (registry.Find(token) is not { } bot) return Error(404, "no such bot");
            using var content = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(content, ctx.RequestAborted);
            if (content.Length == 0) return Error(400, "the body (the file) is empty");
            var file = files.Add(bot.Id, "document", name ?? "file.bin", ctx.Request.ContentType ?? "application/octet-stream", content.ToArray());
            return await InjectAsync(bot, wait, () => bot.InjectDocument(chat_id ?? 1001, file, time), new JsonObject { ["file_id"] = file.FileId }, ctx.RequestAborted);
        });
        // The bytes of any file the emulator holds (what a bot uploaded, by its file_id).
        group.MapGet("/files/{fileId}", (string fileId, EmulatedFiles files) =>
            files.Find(fileId) is { } file ? Results.Bytes(file.Content, file.MimeType, file.Name) : Error(404, "no such file"));
        group.MapGet("/bots/{token}/sent", (string token, BotRegistry registry) =>
            registry.Find(token) is { } bot ? Json(200, bot.Sent()) : Error(404, "no such bot"));
        group.MapGet("/bots/{token}/stats", (string token, BotRegistry registry) =>
            registry.Find(token) is { } bot ? Json(200, bot.Stats()) : Error(404, "no such bot"));
        group.MapPost("/bots/{token}/revoke", (string token, BotRegistry registry) =>
        {
            if (registry.Find(token) is not { } bot) return Error(404, "no such bot");
            bot.Revoke();
            return Json(200, new JsonObject { ["revoked"] = true });
        });
        group.MapPost("/bots/{token}/flood", async (string token, HttpContext ctx, BotRegistry registry, TimeProvider time) =>
        {
            if (registry.Find(token) is not { } bot) return Error(404, "no such bot");
            var body = await ReadJsonAsync(ctx);
            int seconds = body?["retry_after"]?.GetValue<int>() ?? 5;
            bot.Flood(seconds, time);
            return Json(200, new JsonObject { ["retry_after"] = seconds });
        });
        // Deliveries to the bot's webhook fail with {"message": "Connection refused"} (getWebhookInfo's last error); null stops that.
        group.MapPost("/bots/{token}/webhook_failure", async (string token, HttpContext ctx, BotRegistry registry) =>
        {
            if (registry.Find(token) is not { } bot) return Error(404, "no such bot");
            var message = (await ReadJsonAsync(ctx))?["message"]?.GetValue<string>();
            bot.FailWebhookDeliveries(message);
            return Json(200, new JsonObject { ["message"] = message });
        });
    }

    /// <summary>Injects an update (a user writes); with <paramref name="wait"/> seconds, answers with what the bot sent next.</summary>
    private static async Task<IResult> InjectAsync(EmulatedBot bot, int? wait, Func<long> inject, JsonObject result, CancellationToken ct)
    {
        var reply = wait is > 0 ? bot.NextSentAsync() : null;
        long updateId = inject();
        result["update_id"] = updateId;
        if (reply is not null)
        {
            try
            {
                result["reply"] = await reply.WaitAsync(TimeSpan.FromSeconds(wait!.Value), ct);
            }
            catch (TimeoutException)
            {
                return Json(504, new JsonObject { ["update_id"] = updateId, ["error"] = $"the bot did not reply within {wait}s" });
            }
        }
        return Json(200, result);
    }

    internal static async Task<JsonNode?> ReadJsonAsync(HttpContext ctx)
    {
        if (ctx.Request.ContentLength == 0) return null;
        try
        {
            return await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    internal static IResult Json(int status, JsonNode body) => Results.Content(body.ToJsonString(Readable), "application/json", statusCode: status);

    /// <summary>Emoji and non-ASCII text as they are, not as \uXXXX escapes: people read these answers with curl.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static IResult Error(int status, string message) => Json(status, new JsonObject { ["error"] = message });
}
