using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.AdminBot;

/// <summary>A person talking to the admin bot through the emulator's control API.</summary>
public sealed class AdminBotDriver(EmulatorHost emulator, string token)
{
    public string Token => token;

    /// <summary>Sends <paramref name="text"/> from <paramref name="userId"/> (a private chat: the chat id is the user's) and returns the next message the bot sends.</summary>
    public Task<JsonObject> AskAsync(long userId, string text) => emulator.SendAndWaitForReplyAsync(token, text, 30, userId);

    public Task<long> SayAsync(long userId, string text) => emulator.InjectAsync(token, text, userId);

    public async Task<JsonArray> ChatAsync(long chatId) => (await emulator.Http.GetFromJsonAsync<JsonArray>($"/_emulator/bots/{token}/chats/{chatId}/messages"))!;

    /// <summary>Waits until the chat holds a message for which <paramref name="predicate"/> holds; returns it.</summary>
    public async Task<JsonObject> WaitForMessageAsync(long chatId, Func<JsonObject, bool> predicate, string what)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Event);
        while (true)
        {
            var match = (await ChatAsync(chatId)).OfType<JsonObject>().FirstOrDefault(predicate);
            if (match is not null) return match;
            try
            {
                await Task.Delay(200, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no {what} in chat {chatId} within {TestTimeouts.Event}; the chat: {await ChatAsync(chatId)}");
            }
        }
    }

    /// <summary>Presses an inline button of a message as <paramref name="userId"/>; returns the bot's answer to the callback query.</summary>
    public async Task<string?> PressAsync(long userId, JsonObject message, string data)
    {
        var response = await emulator.Http.PostAsJsonAsync($"/_emulator/bots/{token}/callbacks?wait=30", new JsonObject
        {
            ["from_id"] = userId,
            ["chat_id"] = message["chat"]!["id"]!.GetValue<long>(),
            ["message_id"] = message["message_id"]!.GetValue<long>(),
            ["data"] = data,
        });
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
        return body["answer"]?["text"]?.GetValue<string>();
    }

    /// <summary>The content of a file the bot sent (a document): getFile, then the download, as a client would.</summary>
    public async Task<string> DownloadAsync(JsonObject document)
    {
        var fileId = document["file_id"]!.GetValue<string>();
        var file = (await emulator.Http.GetFromJsonAsync<JsonObject>($"/bot{token}/getFile?file_id={Uri.EscapeDataString(fileId)}"))!;
        return await emulator.Http.GetStringAsync($"/file/bot{token}/{file["result"]!["file_path"]!.GetValue<string>()}");
    }

    public static string Text(JsonObject message) => message["text"]?.GetValue<string>() ?? message["caption"]?.GetValue<string>() ?? "";

    public static IReadOnlyList<string> Buttons(JsonObject message) =>
        message["reply_markup"]?["inline_keyboard"]?.AsArray().SelectMany(r => r!.AsArray()).Select(b => b!["callback_data"]!.GetValue<string>()).ToList() ?? [];
}
