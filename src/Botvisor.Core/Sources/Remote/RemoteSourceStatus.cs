namespace Botvisor.Core.Sources.Remote;

/// <summary>What <c>botvisor sources</c> shows of one source. Holds no credential: the URL is masked, headers are not in it.</summary>
public sealed record RemoteSourceStatus
{
    public required string Name { get; init; }
    public required string Url { get; init; }
    public required TimeSpan Interval { get; init; }

    /// <summary><c>ok</c> (the last fetch was taken in), <c>failing</c> (an outage: the last good list runs), <c>pending</c> (not fetched yet).</summary>
    public required string Health { get; init; }

    public DateTimeOffset? LastFetch { get; init; }

    /// <summary>What the last fetch gave: <c>applied: 1 added…</c>, <c>not modified (304)</c>, <c>unchanged</c>, or the error.</summary>
    public string? LastResult { get; init; }

    public DateTimeOffset? LastSuccess { get; init; }
    public int ConsecutiveFailures { get; init; }
    public DateTimeOffset? NextFetch { get; init; }

    /// <summary>Grows with every accepted change of the list; 0 before the first.</summary>
    public long Generation { get; init; }
    public DateTimeOffset? GenerationTime { get; init; }

    public int Bots { get; init; }
    public int Filtered { get; init; }
    public int Disabled { get; init; }
    public IReadOnlyList<RejectedEntry> Rejected { get; init; } = [];

    /// <summary>Fetches since the daemon started: taken in (applied, unchanged or 304), of which 304, and failed.</summary>
    public long Fetches { get; init; }
    public long NotModified { get; init; }
    public long FailedFetches { get; init; }
    public HeldRemoval? HeldRemoval { get; init; }
}

/// <summary>An item left out of the source's list, and why (never with its token).</summary>
public sealed record RejectedEntry(int Index, string? Id, string Reason);
