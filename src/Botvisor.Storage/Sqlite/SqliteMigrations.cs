namespace Botvisor.Storage.Sqlite;

/// <summary>Schema versions, applied in order; the database's <c>PRAGMA user_version</c> says which ran.</summary>
internal static class SqliteMigrations
{
    public static readonly string[] Steps =
    [
        // 1: event log and live workers.
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time_ms INTEGER NOT NULL,
            kind TEXT NOT NULL,
            bot_id TEXT,
            state TEXT,
            message TEXT NOT NULL,
            actor TEXT
        );
        CREATE INDEX events_bot ON events (bot_id, id);
        CREATE TABLE workers (
            bot_id TEXT PRIMARY KEY,
            pid INTEGER NOT NULL,
            pgid INTEGER NOT NULL,
            start_time INTEGER NOT NULL,
            started_ms INTEGER NOT NULL
        );
        """,
        // 2: bots added through the API.
        """
        CREATE TABLE bots (
            id TEXT PRIMARY KEY,
            definition TEXT NOT NULL,
            updated_ms INTEGER NOT NULL,
            actor TEXT NOT NULL
        );
        """,
        // 3: remote sources' last good lists.
        """
        CREATE TABLE source_snapshots (
            name TEXT PRIMARY KEY,
            generation INTEGER NOT NULL,
            fetched_ms INTEGER NOT NULL,
            definitions TEXT NOT NULL
        );
        """,
        // 4: the lease epoch an event was recorded under (a cluster's; null here, kept for one schema everywhere).
        "ALTER TABLE events ADD COLUMN epoch INTEGER;",
    ];

    /// <summary>Every table of the schema with the columns it reads, and the version that added them (a table that grew is listed again).</summary>
    public static readonly (string Table, int Since, string Columns)[] Tables =
    [
        ("events", 1, "id, time_ms, kind, bot_id, state, message, actor"),
        ("workers", 1, "bot_id, pid, pgid, start_time, started_ms"),
        ("bots", 2, "id, definition, updated_ms, actor"),
        ("source_snapshots", 3, "name, generation, fetched_ms, definitions"),
        ("events", 4, "epoch"),
    ];
}
