using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Connections.Features;

namespace TelegramEmulator;

/// <summary>The Bot API itself: <c>/bot&lt;token&gt;/&lt;method&gt;</c>, answers shaped and worded like Telegram's.</summary>
public static class BotApiEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        // Not "/bot{token}/{method}": routing matches a literal inside a segment case-insensitively from the
        // right, so a token containing "bot" ("…EchoBot…") would be cut in the wrong place.
        app.Map("/{prefixedToken}/{method}", (HttpContext context, string prefixedToken, string method, BotRegistry registry, EmulatedFiles files, TimeProvider time) =>
            prefixedToken.StartsWith("bot", StringComparison.Ordinal)
                ? HandleAsync(context, prefixedToken[3..], method, registry, files, time)
                : WriteErrorAsync(context, BotApiError.NotFound()));
        app.MapGet("/file/{prefixedToken}/{**path}", (HttpContext context, string prefixedToken, string path, BotRegistry registry, EmulatedFiles files) =>
            prefixedToken.StartsWith("bot", StringComparison.Ordinal)
                ? DownloadAsync(context, prefixedToken[3..], path, registry, files)
                : WriteErrorAsync(context, BotApiError.NotFound()));
    }

    /// <summary>A file download, as Telegram serves it: the bytes, or 404 with Telegram's JSON error.</summary>
    private static async Task DownloadAsync(HttpContext context, string token, string path, BotRegistry registry, EmulatedFiles files)
    {
        EmulatedFiles.StoredFile? file;
        try
        {
            var bot = registry.Resolve(token);
            file = files.Download(bot, path);
        }
        catch (BotApiError error)
        {
            await WriteErrorAsync(context, error);
            return;
        }
        if (file is null)
        {
            await WriteErrorAsync(context, BotApiError.NotFound());
            return;
        }
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = file.Content.LongLength;
        try
        {
            await context.Response.Body.WriteAsync(file.Content, context.RequestAborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
        }
    }

    private static async Task HandleAsync(HttpContext context, string token, string method, BotRegistry registry, EmulatedFiles files, TimeProvider time)
    {
        JsonNode? result;
        try
        {
            var bot = registry.Resolve(token);
            bot.Called(context.Request.Protocol, context.Connection.Id);
            bot.CheckAccess(time);
            var p = await RequestParameters.ReadAsync(context.Request, context.RequestAborted);
            result = method.ToLowerInvariant() switch
            {
                var m when ChatMethods.TryHandle(bot, m, p, context, time, out var handled) => handled,
                "getme" => bot.User(),
                "getupdates" => await bot.GetUpdatesAsync(
                    p.Long("offset", 0),
                    (int)Math.Clamp(p.Long("limit", 100), 1, 100),
                    (int)Math.Clamp(p.Long("timeout", 0), 0, 50),
                    p.List("allowed_updates"),
                    context.Features.Get<IConnectionSocketFeature>()?.Socket,
                    context.RequestAborted),
                "senddocument" => SendFile(bot, p, files, "document", time),
                "sendphoto" => SendFile(bot, p, files, "photo", time),
                "sendaudio" => SendFile(bot, p, files, "audio", time),
                "sendvideo" => SendFile(bot, p, files, "video", time),
                "sendvoice" => SendFile(bot, p, files, "voice", time),
                "sendanimation" => SendFile(bot, p, files, "animation", time),
                "getfile" => EmulatedFiles.Describe(files.GetFile(bot, p.String("file_id")), withPath: true),
                "setwebhook" => SetWebhook(bot, p),
                "deletewebhook" => bot.DeleteWebhook(p.Bool("drop_pending_updates")) || true,
                "getwebhookinfo" => bot.WebhookInfo(time),
                "logout" or "close" => true,
                _ => throw BotApiError.NotFound(),
            };
        }
        catch (BotApiError error)
        {
            await WriteErrorAsync(context, error);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // the client went away
        }
        var description = method.ToLowerInvariant() switch
        {
            "setwebhook" => "Webhook was set",
            "deletewebhook" => "Webhook was deleted",
            _ => null,
        };
        var body = new JsonObject { ["ok"] = true, ["result"] = result };
        if (description is not null) body["description"] = description;
        await WriteAsync(context, 200, body);
    }

    /// <summary>sendDocument, sendPhoto…: a multipart upload (or a file_id already known), within Telegram's size limits.</summary>
    private static JsonObject SendFile(EmulatedBot bot, RequestParameters p, EmulatedFiles files, string kind, TimeProvider time)
    {
        var chat = p.String("chat_id") ?? throw BotApiError.BadRequest("chat_id is empty");
        if (!long.TryParse(chat, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long chatId))
        {
            throw BotApiError.BadRequest("chat not found");
        }
        EmulatedFiles.StoredFile file;
        if (p.File(kind) is { } upload)
        {
            long limit = kind == "photo" ? EmulatedFiles.MaxPhoto : EmulatedFiles.MaxUpload;
            if (upload.Content.LongLength == 0) throw BotApiError.BadRequest($"file must be non-empty");
            if (upload.Content.LongLength > limit) throw new BotApiError(413, "Request Entity Too Large");
            file = files.Add(bot.Id, kind, upload.Name, upload.MimeType, upload.Content);
        }
        else if (p.String(kind) is { Length: > 0 } fileId && files.Find(fileId) is { } known)
        {
            file = known;
        }
        else
        {
            throw BotApiError.BadRequest($"there is no {kind} in the request");
        }
        return bot.SendFile(chatId, kind, file, p.String("caption"), time);
    }

    private static bool SetWebhook(EmulatedBot bot, RequestParameters p)
    {
        var url = p.String("url") ?? "";
        if (url.Length > 0 && !url.StartsWith("https://", StringComparison.Ordinal)) throw BotApiError.BadRequest("bad webhook: An HTTPS URL must be provided for webhook");
        bot.SetWebhook(url);
        return true;
    }

    internal static Task WriteErrorAsync(HttpContext context, BotApiError error)
    {
        var body = new JsonObject { ["ok"] = false, ["error_code"] = error.Code, ["description"] = error.Description };
        if (error.RetryAfter is { } r) body["parameters"] = new JsonObject { ["retry_after"] = r };
        if (error.MigrateTo is { } to) body["parameters"] = new JsonObject { ["migrate_to_chat_id"] = to };
        return WriteAsync(context, error.Code, body);
    }

    internal static async Task WriteAsync(HttpContext context, int status, JsonNode body)
    {
        if (context.RequestAborted.IsCancellationRequested) return;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        try
        {
            await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
        {
        }
    }
}
