using System.Text.Json.Nodes;

namespace TelegramEmulator;

/// <summary>
/// getWebhookInfo as Telegram answers it. The emulator delivers nothing to a webhook: updates stay pending
/// (as for a bot whose webhook Telegram cannot reach); with a delivery failure set, every look at a
/// webhook with updates waiting reports it as Telegram's last error, just now (Telegram keeps retrying).
/// </summary>
public sealed partial class EmulatedBot
{
    private string? _webhookFailure;
    private DateTimeOffset? _lastWebhookError;
    private string? _lastWebhookErrorMessage;

    /// <summary>getWebhookInfo calls answered.</summary>
    public long WebhookInfoCalls { get; private set; }

    /// <summary>From now on deliveries to the webhook fail with <paramref name="message"/> (null: they no longer fail).</summary>
    public void FailWebhookDeliveries(string? message)
    {
        lock (_gate)
        {
            _webhookFailure = string.IsNullOrEmpty(message) ? null : message;
        }
    }

    public JsonObject WebhookInfo(TimeProvider time)
    {
        lock (_gate)
        {
            WebhookInfoCalls++;
            var info = new JsonObject
            {
                ["url"] = WebhookUrl,
                ["has_custom_certificate"] = false,
                ["pending_update_count"] = _pending.Count,
            };
            if (WebhookUrl.Length == 0) return info;
            if (_pending.Count > 0 && _webhookFailure is { } failure)
            {
                _lastWebhookError = time.GetUtcNow();
                _lastWebhookErrorMessage = failure;
            }
            if (_lastWebhookError is { } at)
            {
                info["last_error_date"] = at.ToUnixTimeSeconds();
                info["last_error_message"] = _lastWebhookErrorMessage;
            }
            return info;
        }
    }
}
