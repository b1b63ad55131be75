using Botvisor.Core.Fleet;

namespace Botvisor.Core.Sources.Remote;

/// <summary>
/// One item of a source's list: the bot it gives (as written: its template not yet applied) with the
/// document it is stored as, or why it was rejected. A rejected entry is left out alone; the rest is applied.
/// </summary>
public sealed record FeedEntry
{
    /// <summary>The item's position in the whole list, from 1 (across pages).</summary>
    public required int Index { get; init; }

    /// <summary>The bot id it gives, when it gives one.</summary>
    public string? Id { get; init; }

    /// <summary>The bot, when the item could be read as one.</summary>
    public BotConfig? Bot { get; init; }

    /// <summary>The bot as a JSON document in the fleet file's keys: what the store keeps as the last good list.</summary>
    public string? Document { get; init; }

    /// <summary>Why it is left out (never with the token in it); null when it is accepted so far.</summary>
    public string? Rejection { get; init; }

    public FeedEntry Reject(string reason) => this with { Rejection = reason };

    /// <summary>How a rejection names it: <c>item 3 ('alpha')</c>.</summary>
    public string Name => Id is null ? $"item {Index}" : $"item {Index} ('{Id}')";
}

/// <summary>What the items of one fetch gave: the entries, and how many items were someone else's (filter) or disabled.</summary>
public sealed record FeedExtract(IReadOnlyList<FeedEntry> Entries, int Filtered, int Disabled)
{
    public IEnumerable<FeedEntry> Accepted => Entries.Where(e => e.Rejection is null && e.Bot is not null);

    public IEnumerable<FeedEntry> Rejected => Entries.Where(e => e.Rejection is not null);
}
