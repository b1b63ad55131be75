namespace Botvisor.Core.Gateway;

/// <summary>
/// What Telegram's getWebhookInfo says of a bot: its webhook URL (empty: none, the bot polls), the
/// updates waiting to be delivered, and its last failed delivery.
/// </summary>
public sealed record WebhookInfo(string Url, int PendingUpdateCount, DateTimeOffset? LastErrorDate = null, string? LastErrorMessage = null)
{
    public bool IsSet => Url.Length > 0;
}
