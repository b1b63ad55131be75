namespace Botvisor.Storage.Postgres;

/// <summary>
/// Schema versions, applied in order, each in its own transaction; <c>botvisor_schema.version</c> says
/// which ran. Nodes that start at once take turns by a transaction-scoped advisory lock (released at
/// commit, so a pooler cannot strand it).
/// </summary>
internal static class PostgresMigrations
{
    /// <summary>The key of the transaction-scoped lock migrations take ("botvisor" in ASCII).</summary>
    public const long LockKey = 0x626f7476_69736f72;

    public static readonly string[] Steps =
    [
        // 1: the event log, live workers per node, bots added through the API, nodes and leases.
        """
        CREATE TABLE events (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            time_ms bigint NOT NULL,
            kind text NOT NULL,
            bot_id text,
            state text,
            message text NOT NULL,
            actor text,
            node text NOT NULL
        );
        CREATE INDEX events_bot ON events (bot_id, id);
        CREATE TABLE workers (
            node text NOT NULL,
            bot_id text NOT NULL,
            pid integer NOT NULL,
            pgid integer NOT NULL,
            start_time bigint NOT NULL,
            started_ms bigint NOT NULL,
            epoch bigint,
            PRIMARY KEY (node, bot_id)
        );
        CREATE TABLE bots (
            id text PRIMARY KEY,
            definition text NOT NULL,
            updated_ms bigint NOT NULL,
            actor text NOT NULL
        );
        CREATE TABLE nodes (
            name text PRIMARY KEY,
            version text NOT NULL,
            address text NOT NULL,
            started_at timestamptz NOT NULL,
            heartbeat_at timestamptz NOT NULL,
            draining boolean NOT NULL DEFAULT false,
            left_at timestamptz,
            fleet text NOT NULL DEFAULT '',
            instance text NOT NULL DEFAULT ''
        );
        CREATE TABLE leases (
            bot_id text PRIMARY KEY,
            holder text,
            epoch bigint NOT NULL DEFAULT 0,
            expires_at timestamptz NOT NULL DEFAULT '-infinity',
            changed_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX leases_holder ON leases (holder);
        CREATE TABLE source_snapshots (
            name text PRIMARY KEY,
            generation bigint NOT NULL,
            fetched_ms bigint NOT NULL,
            definitions text NOT NULL
        );
        CREATE TABLE cluster_secret (
            one boolean PRIMARY KEY DEFAULT true CHECK (one),
            secret text NOT NULL
        );
        """,
        // 2: the cluster's one desired state (the fleet file last published), the file each node read last, each node's own file, and what a person last asked of a bot (started or stopped).
        """
        CREATE TABLE cluster_fleet (
            one boolean PRIMARY KEY DEFAULT true CHECK (one),
            generation bigint NOT NULL,
            digest text NOT NULL,
            text text NOT NULL,
            path text NOT NULL,
            base_directory text NOT NULL,
            variable_names text[] NOT NULL,
            variable_values text[] NOT NULL,
            node text NOT NULL,
            published_at timestamptz NOT NULL
        );
        CREATE TABLE fleet_reads (
            node text PRIMARY KEY,
            digest text NOT NULL,
            read_at timestamptz NOT NULL
        );
        ALTER TABLE nodes ADD COLUMN file text NOT NULL DEFAULT '';
        CREATE TABLE bot_wishes (
            bot_id text PRIMARY KEY,
            running boolean NOT NULL,
            actor text NOT NULL,
            wished_at timestamptz NOT NULL
        );
        """,
        // 3: the lease epoch an event was recorded under (a worker's start, exit and stop; a lease taken, lost, released).
        "ALTER TABLE events ADD COLUMN epoch bigint;",
    ];
}
