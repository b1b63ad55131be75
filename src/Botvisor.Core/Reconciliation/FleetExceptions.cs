namespace Botvisor.Core.Reconciliation;

/// <summary>No bot has that id.</summary>
public sealed class BotNotFoundException(string botId) : Exception($"no bot has the id '{botId}'")
{
    public string BotId { get; } = botId;
}

/// <summary>The change contradicts the fleet as it is (the id exists, the bot belongs to the fleet file…).</summary>
public sealed class BotConflictException(string message) : Exception(message);

/// <summary>No remote source of that name (404).</summary>
public sealed class SourceNotFoundException(string name, IReadOnlyList<string> known)
    : Exception(known.Count == 0 ? $"there is no source '{name}': the fleet file has no 'sources:'" : $"there is no source '{name}' (sources: {string.Join(", ", known)})")
{
    public string Name { get; } = name;
}

/// <summary>A fetch read with a source's definition that a reload has since replaced: it is not applied (the runner fetches again).</summary>
public sealed class StaleFetchException() : Exception("the source's definition changed during the fetch");
