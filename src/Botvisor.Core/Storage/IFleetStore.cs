using Botvisor.Core.State;

namespace Botvisor.Core.Storage;

/// <summary>
/// Durable state of a node: the event log and the records of live workers (so a daemon that was
/// killed can find what it left behind). Implemented in Botvisor.Storage (SQLite, PostgreSQL).
/// </summary>
public interface IFleetStore : IAsyncDisposable
{
    /// <summary>
    /// Creates or migrates the schema. A damaged or foreign file is moved aside and replaced by an empty
    /// store (see <see cref="Recovery"/>); a file of a newer schema is refused with <see cref="StoreSchemaTooNewException"/>.
    /// </summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Set by <see cref="InitializeAsync"/> when it had to move an unusable file aside.</summary>
    StoreRecovery? Recovery => null;

    /// <summary>Stores events in order; returns them with their ids.</summary>
    Task<IReadOnlyList<BotEvent>> AppendEventsAsync(IReadOnlyList<BotEvent> events, CancellationToken cancellationToken = default);

    /// <summary>Events with an id greater than <paramref name="afterId"/>, oldest first.</summary>
    Task<IReadOnlyList<BotEvent>> ReadEventsAsync(long afterId, int limit, string? botId = null, CancellationToken cancellationToken = default);

    /// <summary>The newest <paramref name="limit"/> events, oldest first.</summary>
    Task<IReadOnlyList<BotEvent>> ReadLatestEventsAsync(int limit, string? botId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes at most <paramref name="maxRows"/> of the oldest events that are older than <paramref name="olderThan"/>
    /// or have <paramref name="keepNewest"/> or more newer events; returns how many it deleted (fewer than
    /// <paramref name="maxRows"/>: nothing else is due).
    /// </summary>
    Task<int> PruneEventsAsync(DateTimeOffset olderThan, long keepNewest, int maxRows, CancellationToken cancellationToken = default);

    Task SaveWorkersAsync(IReadOnlyList<WorkerRecord> workers, CancellationToken cancellationToken = default);

    Task DeleteWorkersAsync(IReadOnlyList<WorkerRecord> workers, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<WorkerRecord>> LoadWorkersAsync(CancellationToken cancellationToken = default);

    /// <summary>Bots added through the API (the fleet file's bots live in the file).</summary>
    Task<IReadOnlyList<StoredBot>> LoadBotsAsync(CancellationToken cancellationToken = default);

    Task SaveBotAsync(StoredBot bot, CancellationToken cancellationToken = default);

    Task DeleteBotAsync(string botId, CancellationToken cancellationToken = default);

    /// <summary>The last good list of every remote source (<c>sources:</c>).</summary>
    Task<IReadOnlyList<SourceSnapshot>> LoadSourceSnapshotsAsync(CancellationToken cancellationToken = default);

    /// <summary>Replaces the source's stored list.</summary>
    Task SaveSourceSnapshotAsync(SourceSnapshot snapshot, CancellationToken cancellationToken = default);

    Task DeleteSourceSnapshotAsync(string name, CancellationToken cancellationToken = default);
}
