using Botvisor.Core.Telegram;

namespace Botvisor.Core.Alerts;

/// <summary>Notifications to the admin bot's chats (<c>admin.chats</c>), within Telegram's limits.</summary>
public sealed class TelegramAlertChannel(TelegramSender sender, IReadOnlyList<long> chats, int digestAfter) : IAlertChannel
{
    public string Name => $"{chats.Count} chat(s)";

    public async Task<string?> DeliverAsync(AlertBatch batch, CancellationToken cancellationToken)
    {
        var html = AlertText.Render(batch, digestAfter);
        var outcomes = await Task.WhenAll(chats.Select(c => sender.SendAsync(c, html, null, cancellationToken))).ConfigureAwait(false);
        var failed = outcomes.Where(o => !o.Sent).Select(o => $"chat {o.ChatId}: {o.Failure}").ToList();
        return failed.Count == 0 ? null : string.Join("; ", failed);
    }
}
