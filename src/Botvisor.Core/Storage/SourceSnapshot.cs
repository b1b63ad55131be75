namespace Botvisor.Core.Storage;

/// <summary>
/// A remote source's last good list, kept so that a daemon restarted during the platform's outage still
/// runs its bots: the accepted bot definitions (a JSON array of documents in the fleet file's keys), the
/// generation (grows with every accepted change) and when it was fetched.
/// </summary>
public sealed record SourceSnapshot(string Name, long Generation, DateTimeOffset FetchedAt, string Definitions);
