using System.Text.Json.Nodes;
using static TelegramEmulator.ControlEndpoints;

namespace TelegramEmulator;

/// <summary>
/// The control API for chats: read what a bot sent to one chat, press an inline button as a user
/// (waiting for the bot's answer to the callback query), make a user block the bot, make a group
/// migrate to a supergroup, read the bot's command menu.
/// </summary>
public static class ChatControlEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/_emulator/bots/{token}");
        group.MapGet("/chats/{chatId:long}/messages", (string token, long chatId, BotRegistry registry) =>
            registry.Find(token) is { } bot ? Json(200, bot.SentTo(chatId)) : Error(404, "no such bot"));
        group.MapPost("/callbacks", async (string token, HttpContext ctx, BotRegistry registry, int? wait) =>
        {
            if (registry.Find(token) is not { } bot) return Error(404, "no such bot");
            var body = await ReadJsonAsync(ctx);
            var data = body?["data"]?.GetValue<string>();
            if (string.IsNullOrEmpty(data)) return Error(400, "data (the button's callback_data) is required");
            long chatId = body?["chat_id"]?.GetValue<long>() ?? 1001;
            long fromId = body?["from_id"]?.GetValue<long>() ?? chatId;
            long messageId = body?["message_id"]?.GetValue<long>() ?? 0;
            var (updateId, answer) = bot.PressButton(fromId, chatId, messageId, data);
            var result = new JsonObject { ["update_id"] = updateId };
            if (wait is > 0)
            {
                try
                {
                    result["answer"] = await answer.WaitAsync(TimeSpan.FromSeconds(wait.Value), ctx.RequestAborted);
                }
                catch (TimeoutException)
                {
                    return Json(504, new JsonObject { ["update_id"] = updateId, ["error"] = $"the bot did not answer the callback query within {wait}s" });
                }
            }
            return Json(200, result);
        });
        group.MapPost("/chats/{chatId:long}/block", (string token, long chatId, BotRegistry registry) =>
        {
            if (registry.Find(token) is not { } bot) return Error(404, "no such bot");
            bot.Block(chatId);
            return Json(200, new JsonObject { ["blocked"] = chatId });
        });
        group.MapPost("/chats/{chatId:long}/migrate", async (string token, long chatId, HttpContext ctx, BotRegistry registry) =>
        {
            if (registry.Find(token) is not { } bot) return Error(404, "no such bot");
            var to = (await ReadJsonAsync(ctx))?["to"]?.GetValue<long>();
            if (to is not { } newId || newId == chatId) return Error(400, "to (the supergroup's new chat id) is required");
            bot.Migrate(chatId, newId);
            return Json(200, new JsonObject { ["migrated"] = chatId, ["to"] = newId });
        });
        group.MapGet("/commands", (string token, BotRegistry registry) =>
            registry.Find(token) is { } bot ? Json(200, bot.Commands()) : Error(404, "no such bot"));
    }
}
