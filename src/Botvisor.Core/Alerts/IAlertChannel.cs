namespace Botvisor.Core.Alerts;

/// <summary>Where notifications go: the admin bot's chats, a webhook receiver.</summary>
public interface IAlertChannel
{
    /// <summary>How the channel appears in events and logs ("2 chat(s)", "webhook https://host/…"): never a secret.</summary>
    string Name { get; }

    /// <summary>Delivers one notification (retrying as the channel sees fit); returns why it failed, or null.</summary>
    Task<string?> DeliverAsync(AlertBatch batch, CancellationToken cancellationToken);
}
