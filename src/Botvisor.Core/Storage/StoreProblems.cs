namespace Botvisor.Core.Storage;

/// <summary>
/// What the store found when it opened its file and could not use it: the file was moved aside to
/// <see cref="MovedTo"/> (with its -wal and -shm) and a fresh, empty store was created in its place.
/// </summary>
/// <param name="Path">The store's file.</param>
/// <param name="MovedTo">Where the unusable file is now.</param>
/// <param name="Reason">What was wrong, for people.</param>
/// <param name="Foreign">True when the file is a database of another program, not a damaged one of ours.</param>
public sealed record StoreRecovery(string Path, string MovedTo, string Reason, bool Foreign);

/// <summary>
/// The store was written by a newer Botvisor: it is refused (and left as it is) rather than
/// misread or migrated backwards.
/// </summary>
public sealed class StoreSchemaTooNewException(string path, long found, long known)
    : Exception($"database schema version {found} is newer than this botvisor understands ({known}); {path} was written by a newer botvisor: run that version, or move the file away to start with an empty state (the bots added through the API and the event history are in it)")
{
    public string Path { get; } = path;
    public long Found { get; } = found;
    public long Known { get; } = known;
}

/// <summary>
/// A write to the store failed for a reason outside Botvisor (a full disk, an I/O error): nothing
/// was changed, and the same write may succeed later.
/// </summary>
public sealed class StoreUnavailableException(string message, Exception inner) : Exception(message, inner)
{
    /// <summary>True when the cause is a full disk (ENOSPC, SQLITE_FULL).</summary>
    public bool DiskFull { get; init; }
}
