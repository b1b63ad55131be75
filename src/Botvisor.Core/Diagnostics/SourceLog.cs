using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Diagnostics;

/// <summary>Log messages about remote sources that are not the runner's or the controller's own.</summary>
internal static partial class SourceLog
{
    [LoggerMessage(EventId = LogEventIds.SourceStoredBotGivesWay, Level = LogLevel.Error, Message = "Source {Source}: the stored bot {BotId} was not loaded: the fleet file or the API now defines a bot with the same id, and it wins")]
    public static partial void StoredBotGivesWay(ILogger logger, string source, string botId);
}
