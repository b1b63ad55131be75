using System.Text.Json.Nodes;

namespace TelegramEmulator;

/// <summary>
/// Chats as the bot sees them: messages with inline keyboards, edits, documents, callback queries and
/// their answers, the command menu, and chats that refuse the bot (blocked: 403) or moved (a group
/// that became a supergroup: 400 with <c>migrate_to_chat_id</c>).
/// </summary>
public sealed partial class EmulatedBot
{
    private readonly HashSet<long> _blocked = [];
    private readonly Dictionary<long, long> _migrated = [];
    private readonly Dictionary<string, TaskCompletionSource<JsonObject>> _callbackAnswers = new(StringComparer.Ordinal);
    private JsonArray _commands = [];
    private long _nextCallbackId = 1;

    public void Block(long chatId)
    {
        lock (_gate) _blocked.Add(chatId);
    }

    public void Migrate(long chatId, long toChatId)
    {
        lock (_gate) _migrated[chatId] = toChatId;
    }

    /// <summary>Throws what Telegram answers when the bot writes to a chat that refuses it.</summary>
    public void CheckChat(long chatId)
    {
        lock (_gate)
        {
            if (_blocked.Contains(chatId)) throw new BotApiError(403, "Forbidden: bot was blocked by the user");
            if (_migrated.TryGetValue(chatId, out var to)) throw new BotApiError(400, "Bad Request: group chat was upgraded to a supergroup chat", migrateTo: to);
        }
    }

    /// <summary>A message the bot sends (text, optional keyboard) to a chat or a group; wakes whoever waits for a reply.</summary>
    public JsonObject Deliver(long chatId, Action<JsonObject> fill, TimeProvider time) => (JsonObject)Sent(chatId, time, m =>
    {
        if (chatId < 0) m["chat"] = new JsonObject { ["id"] = chatId, ["type"] = "supergroup", ["title"] = "Test group" };
        fill(m);
    }).DeepClone();

    public JsonObject Edit(long chatId, long messageId, string text, JsonNode? replyMarkup, TimeProvider time)
    {
        lock (_gate)
        {
            var message = _sent.LastOrDefault(m => (long)m["message_id"]! == messageId && (long)m["chat"]!["id"]! == chatId)
                ?? throw BotApiError.BadRequest("message to edit not found");
            message["text"] = text;
            message["edit_date"] = time.GetUtcNow().ToUnixTimeSeconds();
            message.Remove("reply_markup");
            if (replyMarkup is not null) message["reply_markup"] = replyMarkup.DeepClone();
            return (JsonObject)message.DeepClone();
        }
    }

    /// <summary>What the bot sent to one chat (messages, documents, edits applied), oldest first.</summary>
    public JsonArray SentTo(long chatId)
    {
        lock (_gate) return new JsonArray(_sent.Where(m => (long)m["chat"]!["id"]! == chatId).Select(m => (JsonNode)m.DeepClone()).ToArray());
    }

    /// <summary>A user presses an inline button of a message: a callback_query update; the task completes with the bot's answer.</summary>
    public (long UpdateId, Task<JsonObject> Answer) PressButton(long fromId, long chatId, long messageId, string data)
    {
        lock (_gate)
        {
            var message = _sent.LastOrDefault(m => (long)m["message_id"]! == messageId && (long)m["chat"]!["id"]! == chatId);
            var id = (_nextCallbackId++).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
            _callbackAnswers[id] = answer;
            long updateId = _nextUpdateId++;
            var query = new JsonObject
            {
                ["id"] = id,
                ["from"] = new JsonObject { ["id"] = fromId, ["is_bot"] = false, ["first_name"] = "Tester" },
                ["chat_instance"] = chatId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["data"] = data,
            };
            if (message is not null) query["message"] = message.DeepClone();
            _pending.Add(new JsonObject { ["update_id"] = updateId, ["callback_query"] = query });
            _poll?.Wake.TrySetResult(true);
            return (updateId, answer.Task);
        }
    }

    public void AnswerCallback(string id, string? text)
    {
        lock (_gate)
        {
            if (!_callbackAnswers.Remove(id, out var answer)) throw BotApiError.BadRequest("query is too old and response timeout expired or query ID is invalid");
            answer.TrySetResult(new JsonObject { ["text"] = text });
        }
    }

    public void SetCommands(JsonArray commands)
    {
        lock (_gate) _commands = commands;
    }

    public JsonArray Commands()
    {
        lock (_gate) return (JsonArray)_commands.DeepClone();
    }
}
