using System.Text.Json;
using Botvisor.Core.Gateway;

namespace Botvisor.Gateway;

/// <summary>
/// What the gateway knows of a bot's webhook: the setWebhook and deleteWebhook its worker sent through it,
/// and Telegram's getWebhookInfo, which the gateway asks itself (with the real token, under the lease fence,
/// never while the bot's calls are held by a <c>retry_after</c>) for the liveness of webhook bots.
/// </summary>
public sealed partial class GatewayForwarder : IWebhookInfoSource
{
    /// <summary>A getWebhookInfo of the gateway's own that takes longer is given up (and concludes nothing).</summary>
    private static readonly TimeSpan WebhookInfoTimeout = TimeSpan.FromSeconds(10);

    /// <summary>An answered call that says whether the bot takes its updates by webhook.</summary>
    private static void NoteWebhook(GatewayBot bot, BotApiPath path)
    {
        if (path.IsFile) return;
        if (path.Rest.Equals("setWebhook", StringComparison.OrdinalIgnoreCase)) bot.WebhookSet();
        else if (path.Rest.Equals("deleteWebhook", StringComparison.OrdinalIgnoreCase) || path.Rest.Equals("getUpdates", StringComparison.OrdinalIgnoreCase)) bot.WebhookDeleted();
    }

    public async Task<WebhookInfo?> GetAsync(GatewayRun run, CancellationToken cancellationToken)
    {
        if (!run.IsLive || run.Bot.Flood.Remaining > TimeSpan.Zero) return null;
        if (_fence.HeldEpoch(run.BotId) is not { } epoch || !run.UnderEpoch(epoch)) return null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(WebhookInfoTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, string.Concat(run.ApiBaseUrl, "/bot", run.Token.Reveal(), "/getWebhookInfo"));
            using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var body = await ReadBoundedAsync(response.Content, timeout.Token).ConfigureAwait(false);
            if ((int)response.StatusCode == 429 && Parse(body).RetryAfter is > 0 and var retryAfter) run.Bot.Flood.Record(TimeSpan.FromSeconds(retryAfter));
            return response.IsSuccessStatusCode ? ParseWebhookInfo(body, run) : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Log.UpstreamFailed(_logger, run.BotId, "getWebhookInfo", Clean(ex.Message, run));
            return null;
        }
    }

    private static WebhookInfo? ParseWebhookInfo(byte[] body, GatewayRun run)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (!doc.RootElement.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object) return null;
            string url = result.TryGetProperty("url", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() ?? "" : "";
            int pending = result.TryGetProperty("pending_update_count", out var p) && p.TryGetInt32(out var count) ? count : 0;
            DateTimeOffset? errorDate = result.TryGetProperty("last_error_date", out var d) && d.TryGetInt64(out var unix) && unix > 0
                ? DateTimeOffset.FromUnixTimeSeconds(unix) : null;
            string? errorMessage = result.TryGetProperty("last_error_message", out var m) && m.ValueKind == JsonValueKind.String
                ? Clean(m.GetString() ?? "", run).Replace(run.Placeholder, "…", StringComparison.Ordinal) : null;
            return new WebhookInfo(url, pending, errorDate, errorMessage);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
