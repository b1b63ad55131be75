namespace Botvisor.Core.Gateway;

/// <summary>Asks Telegram for a gateway bot's <see cref="WebhookInfo"/> with its real token (implemented over HTTP in the executable).</summary>
public interface IWebhookInfoSource
{
    /// <summary>Null when it cannot be learned now (Telegram unreachable, an error answer, the bot's calls held by a <c>retry_after</c>, the lease not held).</summary>
    Task<WebhookInfo?> GetAsync(GatewayRun run, CancellationToken cancellationToken);
}
