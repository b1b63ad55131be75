using System.Net;
using System.Text.Json;
using Botvisor.Core.Telegram;

namespace Botvisor.Telegram;

/// <summary>
/// Reads the Bot API's answer: <c>{"ok": true, "result": …}</c>, or an error with its code, description
/// (cleaned of the token), <c>retry_after</c> and <c>migrate_to_chat_id</c>, classified for the caller.
/// </summary>
internal static class BotApiAnswer
{
    /// <param name="notFoundRejects">Whether a 404 means the token is not accepted (the Bot API's answer to a malformed token).</param>
    public static async Task<(JsonElement Result, TelegramFailure? Failure)> ReadAsync(HttpResponseMessage response, Func<string, string> clean, bool notFoundRejects, CancellationToken cancellationToken)
    {
        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            var kind = (int)response.StatusCode >= 500 ? TelegramFailureKind.Unreachable : TelegramFailureKind.Other;
            return (default, new TelegramFailure(kind, (int)response.StatusCode, $"not a Bot API answer (HTTP {(int)response.StatusCode})"));
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True && root.TryGetProperty("result", out var result))
            {
                return (result.Clone(), null);
            }
            int code = root.TryGetProperty("error_code", out var c) && c.TryGetInt32(out var ci) ? ci : (int)response.StatusCode;
            var description = clean(root.TryGetProperty("description", out var d) ? d.GetString() ?? "" : response.StatusCode.ToString());
            TimeSpan? retryAfter = null;
            long? migrateTo = null;
            if (root.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object)
            {
                if (p.TryGetProperty("retry_after", out var r) && r.TryGetInt32(out var seconds)) retryAfter = TimeSpan.FromSeconds(seconds);
                if (p.TryGetProperty("migrate_to_chat_id", out var m) && m.TryGetInt64(out var to)) migrateTo = to;
            }
            var failureKind = code switch
            {
                (int)HttpStatusCode.Unauthorized => TelegramFailureKind.Rejected,
                (int)HttpStatusCode.NotFound when notFoundRejects => TelegramFailureKind.Rejected,
                (int)HttpStatusCode.TooManyRequests => TelegramFailureKind.RateLimited,
                >= 500 => TelegramFailureKind.Unreachable,
                _ => TelegramFailureKind.Other,
            };
            return (default, new TelegramFailure(failureKind, code, description, retryAfter) { MigrateToChatId = migrateTo });
        }
    }
}
