using System.Net.Sockets;
using Botvisor.Core.Cluster;
using Botvisor.Core.State;
using Botvisor.Core.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Botvisor.Storage.Postgres;

/// <summary>
/// The cluster's store: one PostgreSQL database shared by every node. Events, bots added through the API,
/// nodes and leases are the cluster's; worker records are each node's own (keyed by <see cref="Node"/>).
/// Every call takes a pooled connection for one short statement or transaction; nothing is held between
/// calls (no session state, no session advisory locks), so a pooler in front of the database is harmless.
/// Times that decide anything (lease expiry, heartbeat age) are the database's <c>now()</c>.
/// </summary>
public sealed partial class PostgresFleetStore : IFleetStore, IClusterStore
{
    private readonly NpgsqlDataSource _dataSource;
    private int _disposed;

    /// <param name="connectionString">A libpq-style URL (<c>postgres://user:pass@host:5432/db</c>) or Npgsql's key=value form.</param>
    /// <param name="node">This node's name: its worker records and events carry it.</param>
    /// <param name="instance">This daemon's own id (a name belongs to one live daemon at a time).</param>
    /// <param name="lease">How long a silent node's name stays taken.</param>
    public PostgresFleetStore(string connectionString, string node, string instance = "", TimeSpan? lease = null)
    {
        Node = node;
        Instance = instance;
        Lease = lease ?? Core.Cluster.ClusterTiming.Default.Lease;
        var builder = new NpgsqlSlimDataSourceBuilder(PostgresConnectionString.ToNpgsql(connectionString));
        builder.EnableArrays();
        builder.ConnectionStringBuilder.ApplicationName ??= "botvisor " + node;
        // A statement that hangs (a half-open connection) must not hold a renewal past its deadline.
        if (builder.ConnectionStringBuilder.CommandTimeout == 30) builder.ConnectionStringBuilder.CommandTimeout = 5;
        if (builder.ConnectionStringBuilder.Timeout == 15) builder.ConnectionStringBuilder.Timeout = 5;
        _dataSource = builder.Build();
    }

    public string Node { get; }
    public string Instance { get; }
    public TimeSpan Lease { get; }

    /// <summary>The schema version this build creates and understands.</summary>
    public static int SchemaVersion => PostgresMigrations.Steps.Length;

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await RunAsync(async (conn, ct) =>
        {
            await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
            await ExecuteAsync(conn, tx, $"SELECT pg_advisory_xact_lock({PostgresMigrations.LockKey})", ct).ConfigureAwait(false);
            await ExecuteAsync(conn, tx, "CREATE TABLE IF NOT EXISTS botvisor_schema (version integer NOT NULL)", ct).ConfigureAwait(false);
            await using (var read = new NpgsqlCommand("SELECT version FROM botvisor_schema", conn, tx))
            {
                long version = await read.ExecuteScalarAsync(ct).ConfigureAwait(false) is int v ? v : -1;
                if (version > SchemaVersion) throw new StoreSchemaTooNewException(Describe(conn), version, SchemaVersion);
                if (version < 0) await ExecuteAsync(conn, tx, "INSERT INTO botvisor_schema (version) VALUES (0)", ct).ConfigureAwait(false);
                for (long step = Math.Max(version, 0); step < SchemaVersion; step++)
                {
                    await ExecuteAsync(conn, tx, PostgresMigrations.Steps[step], ct).ConfigureAwait(false);
                    await ExecuteAsync(conn, tx, $"UPDATE botvisor_schema SET version = {step + 1}", ct).ConfigureAwait(false);
                }
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static string Describe(NpgsqlConnection conn) => $"the PostgreSQL database {conn.Database} on {conn.Host}";

    // ---- events --------------------------------------------------------------------------------------

    public async Task<IReadOnlyList<BotEvent>> AppendEventsAsync(IReadOnlyList<BotEvent> events, CancellationToken cancellationToken = default)
    {
        if (events.Count == 0)
        {
            ThrowIfDisposed();
            return [];
        }
        return await RunAsync(async (conn, ct) =>
        {
            // One statement for the batch; WITH ORDINALITY keeps the order, so ids grow in it.
            await using var cmd = new NpgsqlCommand(
                """
                INSERT INTO events (time_ms, kind, bot_id, state, message, actor, node, epoch)
                SELECT t, k, b, s, m, a, $7, ep FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $8::bigint[])
                    WITH ORDINALITY AS e(t, k, b, s, m, a, ep, n) ORDER BY n
                RETURNING id
                """, conn);
            cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = events.Select(e => e.Time.ToUnixTimeMilliseconds()).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = events.Select(e => e.Kind).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = events.Select(e => e.BotId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = events.Select(e => e.State).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = events.Select(e => e.Message).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = events.Select(e => e.Actor).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Node });
            cmd.Parameters.Add(new NpgsqlParameter<long?[]> { TypedValue = events.Select(e => e.Epoch).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            var ids = new List<long>(events.Count);
            await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false)) ids.Add(reader.GetInt64(0));
            }
            ids.Sort();
            return (IReadOnlyList<BotEvent>)events.Select((e, i) => e with { Id = ids[i] }).ToList();
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<BotEvent>> ReadEventsAsync(long afterId, int limit, string? botId = null, CancellationToken cancellationToken = default) =>
        QueryEventsAsync("WHERE id > $1 AND ($2::text IS NULL OR bot_id = $2) ORDER BY id LIMIT $3", afterId, limit, botId, reverse: false, cancellationToken);

    public Task<IReadOnlyList<BotEvent>> ReadLatestEventsAsync(int limit, string? botId = null, CancellationToken cancellationToken = default) =>
        QueryEventsAsync("WHERE id > $1 AND ($2::text IS NULL OR bot_id = $2) ORDER BY id DESC LIMIT $3", 0, limit, botId, reverse: true, cancellationToken);

    private async Task<IReadOnlyList<BotEvent>> QueryEventsAsync(string where, long afterId, int limit, string? botId, bool reverse, CancellationToken cancellationToken)
    {
        return await RunAsync(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand("SELECT " + EventRows.Columns + " FROM events " + where, conn);
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterId });
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)botId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = limit });
            var list = new List<BotEvent>();
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                list.Add(EventRows.Read(reader));
            }
            if (reverse) list.Reverse();
            return (IReadOnlyList<BotEvent>)list;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> PruneEventsAsync(DateTimeOffset olderThan, long keepNewest, int maxRows, CancellationToken cancellationToken = default)
    {
        return await RunAsync(async (conn, ct) =>
        {
            // The newest id past the count limit: it and every older event go; so does every event past the age.
            await using var cmd = new NpgsqlCommand(
                """
                WITH cutoff AS (SELECT coalesce((SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET $1), 0) AS last)
                DELETE FROM events WHERE id IN (
                    SELECT e.id FROM events e, cutoff WHERE e.id <= cutoff.last OR e.time_ms < $2 ORDER BY e.id LIMIT $3)
                """, conn);
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = keepNewest });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = olderThan.ToUnixTimeMilliseconds() });
            cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxRows });
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    // ---- workers (this node's) -----------------------------------------------------------------------

    public async Task SaveWorkersAsync(IReadOnlyList<WorkerRecord> workers, CancellationToken cancellationToken = default)
    {
        if (workers.Count == 0)
        {
            ThrowIfDisposed();
            return;
        }
        // The store keeps one record per bot and the later one wins, within a batch too.
        var last = workers.GroupBy(w => w.BotId, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        await RunAsync(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand(
                """
                INSERT INTO workers (node, bot_id, pid, pgid, start_time, started_ms, epoch)
                SELECT $1, b, p, g, s, t, e FROM unnest($2::text[], $3::integer[], $4::integer[], $5::bigint[], $6::bigint[], $7::bigint[]) AS w(b, p, g, s, t, e)
                ON CONFLICT (node, bot_id) DO UPDATE SET pid = excluded.pid, pgid = excluded.pgid, start_time = excluded.start_time, started_ms = excluded.started_ms, epoch = excluded.epoch
                """, conn);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Node });
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = last.Select(w => w.BotId).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = last.Select(w => w.Pid).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = last.Select(w => w.ProcessGroup).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = last.Select(w => (long)w.StartTime).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = last.Select(w => w.StartedAt.ToUnixTimeMilliseconds()).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter<long?[]> { TypedValue = last.Select(w => w.Epoch).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteWorkersAsync(IReadOnlyList<WorkerRecord> workers, CancellationToken cancellationToken = default)
    {
        if (workers.Count == 0)
        {
            ThrowIfDisposed();
            return;
        }
        await RunAsync(async (conn, ct) =>
        {
            // Only the record of that very worker: a newer worker of the same bot keeps its record.
            await using var cmd = new NpgsqlCommand(
                "DELETE FROM workers w USING unnest($2::text[], $3::integer[]) AS d(b, p) WHERE w.node = $1 AND w.bot_id = d.b AND w.pid = d.p", conn);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Node });
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = workers.Select(w => w.BotId).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = workers.Select(w => w.Pid).ToArray() });
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<WorkerRecord>> LoadWorkersAsync(CancellationToken cancellationToken = default)
    {
        return await RunAsync(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand("SELECT bot_id, pid, pgid, start_time, started_ms, epoch FROM workers WHERE node = $1 ORDER BY bot_id COLLATE \"C\"", conn);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Node });
            var list = new List<WorkerRecord>();
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                list.Add(new WorkerRecord(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), (ulong)reader.GetInt64(3),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))) { Epoch = reader.IsDBNull(5) ? null : reader.GetInt64(5) });
            }
            return (IReadOnlyList<WorkerRecord>)list;
        }, cancellationToken).ConfigureAwait(false);
    }

    // ---- bots (the cluster's) ------------------------------------------------------------------------

    public async Task<IReadOnlyList<StoredBot>> LoadBotsAsync(CancellationToken cancellationToken = default)
    {
        return await RunAsync(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand("SELECT id, definition, updated_ms, actor FROM bots ORDER BY id COLLATE \"C\"", conn);
            var list = new List<StoredBot>();
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                list.Add(new StoredBot(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetString(3)));
            }
            return (IReadOnlyList<StoredBot>)list;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task SaveBotAsync(StoredBot bot, CancellationToken cancellationToken = default)
    {
        await RunAsync(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand(
                """
                INSERT INTO bots (id, definition, updated_ms, actor) VALUES ($1, $2, $3, $4)
                ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, updated_ms = excluded.updated_ms, actor = excluded.actor
                """, conn);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = bot.Id });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = bot.Definition });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = bot.UpdatedAt.ToUnixTimeMilliseconds() });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = bot.Actor });
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteBotAsync(string botId, CancellationToken cancellationToken = default)
    {
        await RunAsync(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand("DELETE FROM bots WHERE id = $1", conn);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = botId });
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    // ---- remote sources' last good lists (the cluster's) ---------------------------------------------

    public async Task<IReadOnlyList<SourceSnapshot>> LoadSourceSnapshotsAsync(CancellationToken cancellationToken = default)
    {
        return await RunAsync(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand("SELECT name, generation, fetched_ms, definitions FROM source_snapshots ORDER BY name COLLATE \"C\"", conn);
            var list = new List<SourceSnapshot>();
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                list.Add(new SourceSnapshot(reader.GetString(0), reader.GetInt64(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetString(3)));
            }
            return (IReadOnlyList<SourceSnapshot>)list;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task SaveSourceSnapshotAsync(SourceSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        await RunAsync(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand(
                """
                INSERT INTO source_snapshots (name, generation, fetched_ms, definitions) VALUES ($1, $2, $3, $4)
                ON CONFLICT (name) DO UPDATE SET generation = excluded.generation, fetched_ms = excluded.fetched_ms, definitions = excluded.definitions
                """, conn);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = snapshot.Name });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = snapshot.Generation });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = snapshot.FetchedAt.ToUnixTimeMilliseconds() });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = snapshot.Definitions });
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteSourceSnapshotAsync(string name, CancellationToken cancellationToken = default)
    {
        await RunAsync(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand("DELETE FROM source_snapshots WHERE name = $1", conn);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    // ---- nodes and leases ----------------------------------------------------------------------------

    public async Task<ClusterView> HeartbeatAsync(NodeRegistration node, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        return await RunAsync(async (conn, ct) =>
        {
            // One round trip: the heartbeat and the renewal in one statement, then the cluster as it is now.
            await using var batch = new NpgsqlBatch(conn);
            var beat = new NpgsqlBatchCommand(
                """
                WITH prev AS (SELECT instance FROM nodes WHERE name = $1),
                beat AS (
                    INSERT INTO nodes (name, version, address, started_at, heartbeat_at, fleet, instance, file) VALUES ($1, $2, $3, now(), now(), $5, $6, $7)
                    ON CONFLICT (name) DO UPDATE SET version = excluded.version, address = excluded.address, heartbeat_at = now(), fleet = excluded.fleet, file = excluded.file,
                        left_at = NULL, instance = excluded.instance,
                        started_at = CASE WHEN nodes.instance = excluded.instance AND nodes.left_at IS NULL THEN nodes.started_at ELSE now() END
                    -- A name belongs to one live daemon: another takes it only once the first has left or been silent for a lease.
                    WHERE nodes.instance = excluded.instance OR nodes.left_at IS NOT NULL OR nodes.heartbeat_at < now() - $4
                    RETURNING name)
                -- Renewed only by the daemon that holds them: a successor under the same name claims anew, after they expire.
                UPDATE leases SET expires_at = now() + $4
                WHERE holder = (SELECT name FROM beat) AND expires_at > now() AND coalesce((SELECT instance FROM prev), $6) = $6
                RETURNING bot_id, epoch
                """);
            beat.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node.Name });
            beat.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node.Version });
            beat.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node.Address });
            beat.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = lease, NpgsqlDbType = NpgsqlDbType.Interval });
            beat.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node.Fleet });
            beat.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node.Instance });
            beat.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node.File });
            batch.BatchCommands.Add(beat);
            var mine = new NpgsqlBatchCommand("SELECT count(*) = 1 FROM nodes WHERE name = $1 AND instance = $2");
            mine.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node.Name });
            mine.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node.Instance });
            batch.BatchCommands.Add(mine);
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                "SELECT name, version, address, started_at, heartbeat_at, now() - heartbeat_at, draining, left_at IS NOT NULL, fleet, file FROM nodes ORDER BY name COLLATE \"C\""));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                "SELECT bot_id, holder, epoch, expires_at <= now() FROM leases ORDER BY bot_id COLLATE \"C\""));
            // The bots added through the API, as a version: a change (on any node) is synced by every node.
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                "SELECT count(*) || ':' || coalesce(sum(hashtext(id || '/' || updated_ms || '/' || definition)::bigint), 0), (SELECT coalesce(max(generation), 0) FROM cluster_fleet) FROM bots"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT bot_id, running, actor, wished_at FROM bot_wishes"));
            var renewed = new List<LeaseGrant>();
            var nodes = new List<NodeRow>();
            var leases = new List<LeaseRow>();
            await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) renewed.Add(new LeaseGrant(reader.GetString(0), reader.GetInt64(1)));
            await reader.NextResultAsync(ct).ConfigureAwait(false);
            bool accepted = await reader.ReadAsync(ct).ConfigureAwait(false) && reader.GetBoolean(0);
            await reader.NextResultAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                nodes.Add(new NodeRow(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                    reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<TimeSpan>(5),
                    reader.GetBoolean(6), reader.GetBoolean(7), reader.GetString(8), reader.GetString(9)));
            }
            await reader.NextResultAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                leases.Add(new LeaseRow(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2), reader.GetBoolean(3)));
            }
            await reader.NextResultAsync(ct).ConfigureAwait(false);
            bool versions = await reader.ReadAsync(ct).ConfigureAwait(false);
            string botsVersion = versions ? reader.GetString(0) : "";
            long fleetGeneration = versions ? reader.GetInt64(1) : 0;
            await reader.NextResultAsync(ct).ConfigureAwait(false);
            var wishes = new Dictionary<string, BotWish>(StringComparer.Ordinal);
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) wishes[reader.GetString(0)] = new BotWish(reader.GetBoolean(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3));
            return new ClusterView(renewed, nodes, leases, botsVersion) { Accepted = accepted, FleetGeneration = fleetGeneration, Wishes = wishes };
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<LeaseGrant>> ClaimAsync(NodeRegistration node, IReadOnlyCollection<string> botIds, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        if (botIds.Count == 0) return [];
        return await RunAsync(async (conn, ct) =>
        {
            await using var batch = new NpgsqlBatch(conn);
            // In one order (ordinal) on every node: two nodes creating the same new rows in different orders would deadlock.
            var ids = new NpgsqlParameter<string[]> { TypedValue = botIds.Distinct().Order(StringComparer.Ordinal).ToArray() };
            var create = new NpgsqlBatchCommand("INSERT INTO leases (bot_id) SELECT unnest($1::text[]) ON CONFLICT (bot_id) DO NOTHING");
            create.Parameters.Add(ids);
            // Row locks, skipping what another node is claiming right now; only free or expired leases by the database's clock.
            var claim = new NpgsqlBatchCommand(
                """
                UPDATE leases l SET holder = $2, epoch = l.epoch + 1, expires_at = now() + $3, changed_at = now()
                FROM (SELECT bot_id FROM leases WHERE bot_id = ANY($1::text[]) AND (holder IS NULL OR expires_at <= now())
                        AND NOT EXISTS (SELECT 1 FROM bot_wishes w WHERE w.bot_id = leases.bot_id AND NOT w.running)
                        AND EXISTS (SELECT 1 FROM nodes WHERE name = $2 AND instance = $4)
                      ORDER BY bot_id FOR UPDATE SKIP LOCKED) free
                WHERE l.bot_id = free.bot_id
                RETURNING l.bot_id, l.epoch
                """);
            claim.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = botIds.ToArray() });
            claim.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node.Name });
            claim.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = lease, NpgsqlDbType = NpgsqlDbType.Interval });
            claim.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node.Instance });
            batch.BatchCommands.Add(create);
            batch.BatchCommands.Add(claim);
            var granted = new List<LeaseGrant>();
            await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
            // The reader starts at the first statement that returns rows (the claim's): the INSERT returns none.
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) granted.Add(new LeaseGrant(reader.GetString(0), reader.GetInt64(1)));
            return (IReadOnlyList<LeaseGrant>)granted;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task ReleaseAsync(NodeRegistration node, IReadOnlyCollection<LeaseGrant> leases, CancellationToken cancellationToken = default)
    {
        if (leases.Count == 0) return;
        await RunAsync(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand(
                """
                UPDATE leases l SET holder = NULL, expires_at = '-infinity', changed_at = now()
                FROM unnest($2::text[], $3::bigint[]) AS r(b, e)
                WHERE l.bot_id = r.b AND l.holder = $1 AND l.epoch = r.e
                """, conn);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node.Name });
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = leases.Select(l => l.BotId).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = leases.Select(l => l.Epoch).ToArray() });
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> SetDrainingAsync(string node, bool draining, CancellationToken cancellationToken = default)
    {
        return await RunAsync(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand("UPDATE nodes SET draining = $2 WHERE name = $1", conn);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node });
            cmd.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = draining });
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) > 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task LeaveAsync(NodeRegistration node, CancellationToken cancellationToken = default)
    {
        await RunAsync(async (conn, ct) =>
        {
            await using var batch = new NpgsqlBatch(conn);
            // Only the daemon that is the node may release its leases (another with the same name was refused).
            var release = new NpgsqlBatchCommand(
                "UPDATE leases SET holder = NULL, expires_at = '-infinity', changed_at = now() WHERE holder = $1 AND EXISTS (SELECT 1 FROM nodes WHERE name = $1 AND instance = $2)");
            release.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node.Name });
            release.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node.Instance });
            var leave = new NpgsqlBatchCommand("UPDATE nodes SET left_at = now(), draining = false WHERE name = $1 AND instance = $2");
            leave.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node.Name });
            leave.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node.Instance });
            batch.BatchCommands.Add(release);
            batch.BatchCommands.Add(leave);
            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> ClusterSecretAsync(CancellationToken cancellationToken = default)
    {
        return await RunAsync(async (conn, ct) =>
        {
            // gen_random_uuid() draws from pg_strong_random(): two of them are 244 random bits.
            await using var cmd = new NpgsqlCommand(
                """
                WITH made AS (
                    INSERT INTO cluster_secret (secret) SELECT replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')
                    ON CONFLICT (one) DO NOTHING RETURNING secret)
                SELECT secret FROM made UNION ALL SELECT secret FROM cluster_secret LIMIT 1
                """, conn);
            return (string)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, cancellationToken).ConfigureAwait(false);
    }

    // ---- plumbing ------------------------------------------------------------------------------------

    /// <summary>Runs <paramref name="work"/> on a pooled connection; a lost or unreachable database is a <see cref="StoreUnavailableException"/>.</summary>
    private async Task<T> RunAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        try
        {
            await using var conn = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await work(conn, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex) && !cancellationToken.IsCancellationRequested)
        {
            throw new StoreUnavailableException($"PostgreSQL cannot be reached: {ex.Message}", ex);
        }
    }

    private static bool IsUnavailable(Exception ex) => ex switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState.StartsWith("57P", StringComparison.Ordinal) || pg.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException => true,
        SocketException or IOException or TimeoutException => true,
        _ => false,
    };

    private static async Task ExecuteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }
}
