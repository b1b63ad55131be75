using System.Net;
using System.Text.Json;
using Botvisor.Core.Fleet;
using Botvisor.Core.Telegram;

namespace Botvisor.Telegram;

/// <summary>
/// Botvisor's own Bot API calls over HTTP. A plain <see cref="HttpClient"/> without request logging:
/// the token is part of every URL, and no URL is ever logged or put in a failure description.
/// </summary>
public sealed class HttpTelegramApi : ITelegramApi, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly HttpClient _http = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = Timeout,
    };

    public async Task<TelegramResult<TelegramBotInfo>> GetMeAsync(string baseUrl, BotToken token, CancellationToken cancellationToken)
    {
        var (result, failure) = await CallAsync(baseUrl, token, "getMe", cancellationToken).ConfigureAwait(false);
        if (failure is not null) return TelegramResult<TelegramBotInfo>.Fail(failure);
        var id = result.TryGetProperty("id", out var i) && i.TryGetInt64(out var n) ? n : 0;
        var username = result.TryGetProperty("username", out var u) ? u.GetString() ?? "" : "";
        return TelegramResult<TelegramBotInfo>.Ok(new TelegramBotInfo(id, username));
    }

    public async Task<TelegramResult<bool>> DeleteWebhookAsync(string baseUrl, BotToken token, CancellationToken cancellationToken)
    {
        var (_, failure) = await CallAsync(baseUrl, token, "deleteWebhook", cancellationToken).ConfigureAwait(false);
        return failure is null ? TelegramResult<bool>.Ok(true) : TelegramResult<bool>.Fail(failure);
    }

    private async Task<(JsonElement Result, TelegramFailure? Failure)> CallAsync(string baseUrl, BotToken token, string method, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsync(new Uri($"{baseUrl.TrimEnd('/')}/bot{token.Reveal()}/{method}"), null, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            return (default, new TelegramFailure(TelegramFailureKind.Unreachable, null, Clean(ex.Message, token)));
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (default, new TelegramFailure(TelegramFailureKind.Unreachable, null, $"no answer within {Timeout.TotalSeconds:0}s"));
        }

        using (response)
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
                var description = Clean(root.TryGetProperty("description", out var d) ? d.GetString() ?? "" : response.StatusCode.ToString(), token);
                TimeSpan? retryAfter = root.TryGetProperty("parameters", out var p) && p.TryGetProperty("retry_after", out var r) && r.TryGetInt32(out var seconds)
                    ? TimeSpan.FromSeconds(seconds) : null;
                var failureKind = code switch
                {
                    (int)HttpStatusCode.Unauthorized or (int)HttpStatusCode.NotFound => TelegramFailureKind.Rejected,
                    (int)HttpStatusCode.TooManyRequests => TelegramFailureKind.RateLimited,
                    >= 500 => TelegramFailureKind.Unreachable,
                    _ => TelegramFailureKind.Other,
                };
                return (default, new TelegramFailure(failureKind, code, description, retryAfter));
            }
        }
    }

    private static string Clean(string text, BotToken token) => text.Replace(token.Reveal(), token.Masked, StringComparison.Ordinal);

    public void Dispose() => _http.Dispose();
}
