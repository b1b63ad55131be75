namespace Botvisor.Core.Reconciliation;

/// <summary>No bot has that id.</summary>
public sealed class BotNotFoundException(string botId) : Exception($"no bot has the id '{botId}'")
{
    public string BotId { get; } = botId;
}

/// <summary>The change contradicts the fleet as it is (the id exists, the bot belongs to the fleet file…).</summary>
public sealed class BotConflictException(string message) : Exception(message);
