using Botvisor.Core.Diagnostics;

namespace Botvisor.Gateway;

public sealed partial class GatewayForwarder
{
    private static partial class Log
    {
        [LoggerMessage(EventId = LogEventIds.GatewayOutsidePoller, Level = LogLevel.Warning, Message = "Bot {BotId}: a poller outside Botvisor holds the bot's token (Telegram ended the gateway's getUpdates with 409 Conflict)")]
        public static partial void OutsidePoller(ILogger logger, string botId);

        [LoggerMessage(EventId = LogEventIds.GatewayRateLimited, Level = LogLevel.Information, Message = "Bot {BotId}: Telegram answered {Method} with 429, retry after {RetryAfter}s; the gateway holds the bot's calls until then")]
        public static partial void RateLimited(ILogger logger, string botId, string method, int retryAfter);

        [LoggerMessage(EventId = LogEventIds.GatewayUpstreamFailed, Level = LogLevel.Warning, Message = "Bot {BotId}: {Method} could not be forwarded: {Error}")]
        public static partial void UpstreamFailed(ILogger logger, string botId, string method, string error);
    }
}
