using System.Text.Json.Serialization;
using Botvisor.Core.Sources.Remote;

namespace Botvisor.Api.Contracts;

/// <summary>A remote source as <c>GET /sources</c> and <c>botvisor sources</c> show it: no credential (the URL is masked, headers are not shown).</summary>
public sealed record SourceInfo
{
    public required string Name { get; init; }

    /// <summary>The URL, with a user name, password and secret-looking query values masked.</summary>
    public required string Url { get; init; }

    [JsonPropertyName("interval_seconds")] public double IntervalSeconds { get; init; }

    /// <summary><c>ok</c>, <c>failing</c> (an outage: the last good list runs) or <c>pending</c> (not fetched yet).</summary>
    public required string Health { get; init; }

    [JsonPropertyName("last_fetch")] public DateTimeOffset? LastFetch { get; init; }
    [JsonPropertyName("last_result")] public string? LastResult { get; init; }
    [JsonPropertyName("last_success")] public DateTimeOffset? LastSuccess { get; init; }
    [JsonPropertyName("consecutive_failures")] public int ConsecutiveFailures { get; init; }
    [JsonPropertyName("next_fetch")] public DateTimeOffset? NextFetch { get; init; }
    public long Generation { get; init; }
    [JsonPropertyName("generation_time")] public DateTimeOffset? GenerationTime { get; init; }
    public int Bots { get; init; }

    /// <summary>Items that the source's filter says are someone else's.</summary>
    public int Filtered { get; init; }

    /// <summary>Items that are not enabled.</summary>
    public int Disabled { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public List<RejectedEntryInfo> Rejected { get; init; } = [];

    [JsonPropertyName("held_removal")] public HeldRemovalInfo? HeldRemoval { get; init; }

    public static SourceInfo From(RemoteSourceStatus s) => new()
    {
        Name = s.Name,
        Url = s.Url,
        IntervalSeconds = s.Interval.TotalSeconds,
        Health = s.Health,
        LastFetch = s.LastFetch,
        LastResult = s.LastResult,
        LastSuccess = s.LastSuccess,
        ConsecutiveFailures = s.ConsecutiveFailures,
        NextFetch = s.NextFetch,
        Generation = s.Generation,
        GenerationTime = s.GenerationTime,
        Bots = s.Bots,
        Filtered = s.Filtered,
        Disabled = s.Disabled,
        Rejected = s.Rejected.Select(r => new RejectedEntryInfo(r.Index, r.Id, r.Reason)).ToList(),
        HeldRemoval = s.HeldRemoval is { } h ? new HeldRemovalInfo([.. h.Ids.Order(StringComparer.Ordinal)], h.Before, h.Since, h.NeedsAccept) : null,
    };
}

/// <summary>An item left out of the list, and why.</summary>
public sealed record RejectedEntryInfo(int Index, string? Id, string Reason);

/// <summary>Bots missing from the list whose removal is held; <c>needs_accept</c>: only <c>botvisor sources accept</c> applies it (an empty list).</summary>
public sealed record HeldRemovalInfo(
    List<string> Bots,
    int Before,
    DateTimeOffset Since,
    [property: JsonPropertyName("needs_accept")] bool NeedsAccept);

/// <summary>What a sync or an accept gave: whether the fetch worked, its result in words, and the source after it.</summary>
public sealed record SourceOutcomeInfo(bool Ok, string Result, SourceInfo Source);
