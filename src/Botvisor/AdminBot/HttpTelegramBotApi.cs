using System.Net.Http.Headers;
using System.Text.Json;
using Botvisor.Core.Fleet;
using Botvisor.Core.Telegram;

namespace Botvisor.AdminBot;

/// <summary>
/// The admin bot's Bot API calls over HTTP, straight to Telegram (or the emulator): its own client,
/// never the gateway. Bodies are JSON written with <see cref="Utf8JsonWriter"/> (no reflection);
/// <c>sendDocument</c> is multipart. No URL is ever logged or put in a failure: the token is in every one.
/// </summary>
public sealed class HttpTelegramBotApi : ITelegramBotApi, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly string _baseUrl;
    private readonly BotToken _token;
    private readonly HttpClient _http = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan, // per call: a long poll waits longer than a send
    };

    public HttpTelegramBotApi(string baseUrl, BotToken token)
    {
        _baseUrl = baseUrl.TrimEnd('/');
        _token = token;
    }

    public async Task<TelegramResult<TelegramBotInfo>> GetMeAsync(CancellationToken cancellationToken)
    {
        var (result, failure) = await CallAsync("getMe", null, Timeout, cancellationToken).ConfigureAwait(false);
        if (failure is not null) return TelegramResult<TelegramBotInfo>.Fail(failure);
        return TelegramResult<TelegramBotInfo>.Ok(new TelegramBotInfo(
            result.TryGetProperty("id", out var i) && i.TryGetInt64(out var n) ? n : 0,
            result.TryGetProperty("username", out var u) ? u.GetString() ?? "" : ""));
    }

    public async Task<TelegramResult<bool>> DeleteWebhookAsync(CancellationToken cancellationToken) =>
        Bool(await CallAsync("deleteWebhook", null, Timeout, cancellationToken).ConfigureAwait(false));

    public async Task<TelegramResult<IReadOnlyList<TelegramUpdate>>> GetUpdatesAsync(long offset, int timeoutSeconds, CancellationToken cancellationToken)
    {
        var body = Json(w =>
        {
            w.WriteNumber("offset", offset);
            w.WriteNumber("timeout", timeoutSeconds);
            w.WriteStartArray("allowed_updates");
            w.WriteStringValue("message");
            w.WriteStringValue("callback_query");
            w.WriteEndArray();
        });
        var (result, failure) = await CallJsonAsync("getUpdates", body, Timeout + TimeSpan.FromSeconds(timeoutSeconds), cancellationToken).ConfigureAwait(false);
        if (failure is not null) return TelegramResult<IReadOnlyList<TelegramUpdate>>.Fail(failure);
        var updates = new List<TelegramUpdate>();
        if (result.ValueKind == JsonValueKind.Array)
        {
            foreach (var u in result.EnumerateArray()) updates.Add(ReadUpdate(u));
        }
        return TelegramResult<IReadOnlyList<TelegramUpdate>>.Ok(updates);
    }

    private static TelegramUpdate ReadUpdate(JsonElement u)
    {
        long id = u.TryGetProperty("update_id", out var i) && i.TryGetInt64(out var n) ? n : 0;
        TelegramIncomingMessage? message = null;
        TelegramCallbackQuery? callback = null;
        if (u.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object)
        {
            var (fromId, fromName) = From(m);
            message = new TelegramIncomingMessage(Long(m, "message_id"), m.TryGetProperty("chat", out var chat) ? Long(chat, "id") : fromId, fromId, fromName,
                m.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null);
        }
        if (u.TryGetProperty("callback_query", out var q) && q.ValueKind == JsonValueKind.Object)
        {
            var (fromId, fromName) = From(q);
            long? chatId = null, messageId = null;
            if (q.TryGetProperty("message", out var qm) && qm.ValueKind == JsonValueKind.Object)
            {
                messageId = Long(qm, "message_id");
                if (qm.TryGetProperty("chat", out var c)) chatId = Long(c, "id");
            }
            callback = new TelegramCallbackQuery(q.TryGetProperty("id", out var qid) ? qid.ToString() : "", fromId, fromName,
                q.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() ?? "" : "", chatId, messageId);
        }
        return new TelegramUpdate(id, message, callback);
    }

    private static (long Id, string? Username) From(JsonElement e) =>
        e.TryGetProperty("from", out var f) && f.ValueKind == JsonValueKind.Object
            ? (Long(f, "id"), f.TryGetProperty("username", out var un) && un.ValueKind == JsonValueKind.String ? un.GetString() : null)
            : (0, null);

    private static long Long(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.TryGetInt64(out var n) ? n : 0;

    public async Task<TelegramResult<long>> SendMessageAsync(long chatId, string html, IReadOnlyList<InlineButton>? buttons, CancellationToken cancellationToken)
    {
        var body = Json(w =>
        {
            w.WriteNumber("chat_id", chatId);
            w.WriteString("text", html);
            w.WriteString("parse_mode", "HTML");
            w.WriteStartObject("link_preview_options");
            w.WriteBoolean("is_disabled", true);
            w.WriteEndObject();
            if (buttons is { Count: > 0 }) WriteKeyboard(w, buttons);
        });
        return MessageId(await CallJsonAsync("sendMessage", body, Timeout, cancellationToken).ConfigureAwait(false));
    }

    public async Task<TelegramResult<bool>> EditMessageTextAsync(long chatId, long messageId, string html, CancellationToken cancellationToken)
    {
        var body = Json(w =>
        {
            w.WriteNumber("chat_id", chatId);
            w.WriteNumber("message_id", messageId);
            w.WriteString("text", html);
            w.WriteString("parse_mode", "HTML");
        });
        return Bool(await CallJsonAsync("editMessageText", body, Timeout, cancellationToken).ConfigureAwait(false));
    }

    public async Task<TelegramResult<bool>> AnswerCallbackQueryAsync(string callbackQueryId, string? text, CancellationToken cancellationToken)
    {
        var body = Json(w =>
        {
            w.WriteString("callback_query_id", callbackQueryId);
            if (text is not null) w.WriteString("text", text);
        });
        return Bool(await CallJsonAsync("answerCallbackQuery", body, Timeout, cancellationToken).ConfigureAwait(false));
    }

    public async Task<TelegramResult<long>> SendDocumentAsync(long chatId, string fileName, ReadOnlyMemory<byte> content, string? captionHtml, CancellationToken cancellationToken)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(chatId.ToString(System.Globalization.CultureInfo.InvariantCulture)), "chat_id");
        if (captionHtml is not null)
        {
            form.Add(new StringContent(captionHtml), "caption");
            form.Add(new StringContent("HTML"), "parse_mode");
        }
        var file = new ReadOnlyMemoryContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        form.Add(file, "document", fileName);
        return MessageId(await CallAsync("sendDocument", form, Timeout, cancellationToken).ConfigureAwait(false));
    }

    public async Task<TelegramResult<bool>> SetMyCommandsAsync(IReadOnlyList<(string Command, string Description)> commands, CancellationToken cancellationToken)
    {
        var body = Json(w =>
        {
            w.WriteStartArray("commands");
            foreach (var (command, description) in commands)
            {
                w.WriteStartObject();
                w.WriteString("command", command);
                w.WriteString("description", description);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
        return Bool(await CallJsonAsync("setMyCommands", body, Timeout, cancellationToken).ConfigureAwait(false));
    }

    private static void WriteKeyboard(Utf8JsonWriter w, IReadOnlyList<InlineButton> buttons)
    {
        w.WriteStartObject("reply_markup");
        w.WriteStartArray("inline_keyboard");
        w.WriteStartArray();
        foreach (var b in buttons)
        {
            w.WriteStartObject();
            w.WriteString("text", b.Text);
            w.WriteString("callback_data", b.Data);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private async Task<(JsonElement Result, TelegramFailure? Failure)> CallJsonAsync(string method, byte[] json, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await CallAsync(method, content, timeout, cancellationToken).ConfigureAwait(false);
    }

    private static TelegramResult<bool> Bool((JsonElement Result, TelegramFailure? Failure) r) =>
        r.Failure is null ? TelegramResult<bool>.Ok(true) : TelegramResult<bool>.Fail(r.Failure);

    private static TelegramResult<long> MessageId((JsonElement Result, TelegramFailure? Failure) r) =>
        r.Failure is null ? TelegramResult<long>.Ok(r.Result.ValueKind == JsonValueKind.Object ? Long(r.Result, "message_id") : 0) : TelegramResult<long>.Fail(r.Failure);

    private async Task<(JsonElement Result, TelegramFailure? Failure)> CallAsync(string method, HttpContent? body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsync(new Uri($"{_baseUrl}/bot{_token.Reveal()}/{method}"), body, timeoutCts.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            return (default, new TelegramFailure(TelegramFailureKind.Unreachable, null, Clean(ex.InnerException?.Message ?? ex.Message)));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (default, new TelegramFailure(TelegramFailureKind.Unreachable, null, $"no answer within {timeout.TotalSeconds:0}s"));
        }

        using (response)
        {
            return await Telegram.BotApiAnswer.ReadAsync(response, Clean, notFoundRejects: method == "getMe", cancellationToken).ConfigureAwait(false);
        }
    }

    private string Clean(string text) => text.Replace(_token.Reveal(), _token.Masked, StringComparison.Ordinal);

    public void Dispose() => _http.Dispose();
}
