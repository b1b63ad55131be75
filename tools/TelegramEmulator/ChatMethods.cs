using System.Globalization;
using System.Text.Json.Nodes;

namespace TelegramEmulator;

/// <summary>
/// Bot API methods about chats: sendMessage (parse_mode HTML checked as Telegram does, inline
/// keyboards), editMessageText, answerCallbackQuery, setMyCommands,
/// getMyCommands. A chat that blocked the bot answers 403; one that migrated answers 400 with
/// <c>migrate_to_chat_id</c>.
/// </summary>
public static class ChatMethods
{
    public const int MaxTextLength = 4096;

    public static bool TryHandle(EmulatedBot bot, string method, RequestParameters p, HttpContext context, TimeProvider time, out JsonNode? result)
    {
        result = method switch
        {
            "sendmessage" => SendMessage(bot, p, time),
            "editmessagetext" => EditMessageText(bot, p, time),
            "answercallbackquery" => AnswerCallbackQuery(bot, p),
            "setmycommands" => SetMyCommands(bot, p),
            "getmycommands" => bot.Commands(),
            _ => null,
        };
        return result is not null;
    }

    private static JsonObject SendMessage(EmulatedBot bot, RequestParameters p, TimeProvider time)
    {
        long chatId = ChatId(p);
        var text = p.String("text");
        if (string.IsNullOrEmpty(text)) throw BotApiError.BadRequest("message text is empty");
        var parsed = Parse(text, p.String("parse_mode"));
        if (parsed.Length > MaxTextLength) throw BotApiError.BadRequest("message is too long");
        var markup = Markup(p);
        bot.CheckChat(chatId);
        return bot.Deliver(chatId, m =>
        {
            m["text"] = parsed;
            if (p.String("parse_mode") is { } mode) m["parse_mode"] = mode;
            if (markup is not null) m["reply_markup"] = markup;
        }, time);
    }

    private static JsonObject EditMessageText(EmulatedBot bot, RequestParameters p, TimeProvider time)
    {
        long chatId = ChatId(p);
        long messageId = p.Long("message_id", 0);
        var text = p.String("text");
        if (string.IsNullOrEmpty(text)) throw BotApiError.BadRequest("message text is empty");
        var parsed = Parse(text, p.String("parse_mode"));
        if (parsed.Length > MaxTextLength) throw BotApiError.BadRequest("MESSAGE_TOO_LONG");
        return bot.Edit(chatId, messageId, parsed, Markup(p), time);
    }

    private static bool AnswerCallbackQuery(EmulatedBot bot, RequestParameters p)
    {
        var id = p.String("callback_query_id") ?? throw BotApiError.BadRequest("query is too old and response timeout expired or query ID is invalid");
        bot.AnswerCallback(id, p.String("text"));
        return true;
    }

    private static bool SetMyCommands(EmulatedBot bot, RequestParameters p)
    {
        var raw = p.String("commands") ?? throw BotApiError.BadRequest("parameter \"commands\" is required");
        if (JsonNode.Parse(raw) is not JsonArray commands) throw BotApiError.BadRequest("can't parse commands JSON object");
        foreach (var c in commands)
        {
            var name = c?["command"]?.GetValue<string>() ?? "";
            var description = c?["description"]?.GetValue<string>() ?? "";
            if (name.Length is 0 or > 32 || !name.All(ch => char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch == '_')) throw BotApiError.BadRequest("BOT_COMMAND_INVALID");
            if (description.Length is 0 or > 256) throw BotApiError.BadRequest("BOT_COMMAND_DESCRIPTION_INVALID");
        }
        bot.SetCommands(commands);
        return true;
    }

    private static long ChatId(RequestParameters p)
    {
        var chat = p.String("chat_id") ?? throw BotApiError.BadRequest("chat_id is empty");
        return long.TryParse(chat, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long id) ? id : throw BotApiError.BadRequest("chat not found");
    }

    private static string Parse(string text, string? parseMode) =>
        string.Equals(parseMode, "HTML", StringComparison.OrdinalIgnoreCase) ? TelegramHtmlCheck.Parse(text) : text;

    private static JsonNode? Markup(RequestParameters p)
    {
        if (p.String("reply_markup") is not { Length: > 0 } raw) return null;
        JsonNode? markup;
        try
        {
            markup = JsonNode.Parse(raw);
        }
        catch (System.Text.Json.JsonException)
        {
            throw BotApiError.BadRequest("can't parse reply keyboard markup JSON object");
        }
        if (markup?["inline_keyboard"] is JsonArray rows)
        {
            foreach (var button in rows.OfType<JsonArray>().SelectMany(r => r))
            {
                var data = button?["callback_data"]?.GetValue<string>();
                if (data is not null && System.Text.Encoding.UTF8.GetByteCount(data) > 64) throw BotApiError.BadRequest("BUTTON_DATA_INVALID");
            }
        }
        return markup;
    }
}
