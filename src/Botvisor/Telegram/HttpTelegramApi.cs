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
            return await BotApiAnswer.ReadAsync(response, text => Clean(text, token), notFoundRejects: true, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Clean(string text, BotToken token) => text.Replace(token.Reveal(), token.Masked, StringComparison.Ordinal);

    public void Dispose() => _http.Dispose();
}
