using Botvisor.Core.State;
using Botvisor.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Botvisor.Storage.Sqlite;

/// <summary>
/// The single-node store: one SQLite file in the state directory, WAL journal, one connection
/// used by one caller at a time (writes come in batches from <see cref="StoreWriter"/>).
/// </summary>
public sealed class SqliteFleetStore : IFleetStore
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private readonly TimeProvider _time;

    public SqliteFleetStore(string databasePath, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        DatabasePath = databasePath;
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        };
        _connection = new SqliteConnection(builder.ToString());
    }

    public string DatabasePath { get; }

    /// <summary>The schema version this build creates and understands (<c>PRAGMA user_version</c>).</summary>
    public static int SchemaVersion => SqliteMigrations.Steps.Length;

    /// <inheritdoc />
    public StoreRecovery? Recovery { get; private set; }

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection.State == System.Data.ConnectionState.Open) return; // opened before the host started
            // Look before touching: a file that is refused or moved aside must not be converted to WAL or migrated.
            if (Inspect() is { } problem) Recovery = MoveAside(problem.Reason, problem.Foreign);
            await _connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;");
            long version = (long)Scalar("PRAGMA user_version")!;
            for (long v = version; v < SqliteMigrations.Steps.Length; v++)
            {
                using var tx = _connection.BeginTransaction();
                Execute(SqliteMigrations.Steps[v], tx);
                Execute($"PRAGMA user_version = {v + 1}", tx);
                tx.Commit();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Opens the file and decides whether it can be used: null if it can (ours, or empty); the reason if it
    /// is damaged (not a database, <c>PRAGMA quick_check</c> fails, a table of ours is missing or has other
    /// columns) or foreign (none of our tables, but other tables or a schema version). Throws
    /// <see cref="StoreSchemaTooNewException"/> for a newer schema of ours. Only reads, on a read-only
    /// connection of its own (which does not checkpoint another program's WAL into its file when it closes).
    /// </summary>
    private (string Reason, bool Foreign)? Inspect()
    {
        var file = new FileInfo(DatabasePath);
        if (!file.Exists || file.Length == 0) return null;
        var builder = new SqliteConnectionStringBuilder { DataSource = DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            long version = (long)Scalar(connection, "PRAGMA user_version")!;
            var tables = new List<string>();
            using (var cmd = connection.CreateCommand())
            {
                cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";
                using var reader = cmd.ExecuteReader();
                while (reader.Read()) tables.Add(reader.GetString(0));
            }
            if (!tables.Any(t => SqliteMigrations.Tables.Any(x => x.Table == t)))
            {
                if (version == 0 && tables.Count == 0) return null; // new or empty: a fresh store
                string has = tables.Count == 0 ? "no tables" : "the tables " + string.Join(", ", tables.Take(10)) + (tables.Count > 10 ? ", …" : "");
                return ($"it is not Botvisor's database: it has {has} and schema version {version}, and none of Botvisor's tables", true);
            }
            if (version > SchemaVersion) throw new StoreSchemaTooNewException(DatabasePath, version, SchemaVersion);

            var check = Scalar(connection, "PRAGMA quick_check") as string;
            if (check != "ok") return ($"PRAGMA quick_check found damage: {check}", false);
            if (version == 0) return ("it has Botvisor's tables but no schema version", false);
            foreach (var (table, since, columns) in SqliteMigrations.Tables)
            {
                if (since > version) continue;
                if (!tables.Contains(table)) return ($"the table '{table}' of schema version {version} is missing", false);
                using var probe = connection.CreateCommand();
                probe.CommandText = $"SELECT {columns} FROM {table} LIMIT 0";
                probe.ExecuteNonQuery();
            }
            return null;
        }
        catch (SqliteException ex) when ((ex.SqliteErrorCode & 0xFF) is SqliteError or SqliteCorrupt or SqliteNotADb)
        {
            return (ex.Message, false);
        }
    }

    private const int SqliteError = 1;
    private const int SqliteIoErr = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteNotADb = 26;

    /// <summary>Renames the file (and its -wal and -shm) to <c>botvisor.db.damaged-&lt;UTC time&gt;</c>.</summary>
    private StoreRecovery MoveAside(string reason, bool foreign)
    {
        string stamp = _time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        string target = DatabasePath + ".damaged-" + stamp;
        for (int n = 2; File.Exists(target); n++) target = $"{DatabasePath}.damaged-{stamp}-{n}";
        File.Move(DatabasePath, target);
        foreach (var suffix in (string[])["-wal", "-shm", "-journal"])
        {
            if (File.Exists(DatabasePath + suffix)) File.Move(DatabasePath + suffix, target + suffix);
        }
        return new StoreRecovery(DatabasePath, target, reason, foreign);
    }

    public async Task<IReadOnlyList<BotEvent>> AppendEventsAsync(IReadOnlyList<BotEvent> events, CancellationToken cancellationToken = default)
    {
        return await ExclusiveAsync(() =>
        {
            var stored = new List<BotEvent>(events.Count);
            using var tx = _connection.BeginTransaction();
            using var cmd = _connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT INTO events (time_ms, kind, bot_id, state, message, actor, epoch) VALUES ($t, $k, $b, $s, $m, $a, $e) RETURNING id";
            var t = cmd.Parameters.Add("$t", SqliteType.Integer);
            var k = cmd.Parameters.Add("$k", SqliteType.Text);
            var b = cmd.Parameters.Add("$b", SqliteType.Text);
            var s = cmd.Parameters.Add("$s", SqliteType.Text);
            var m = cmd.Parameters.Add("$m", SqliteType.Text);
            var a = cmd.Parameters.Add("$a", SqliteType.Text);
            var ep = cmd.Parameters.Add("$e", SqliteType.Integer);
            foreach (var e in events)
            {
                t.Value = e.Time.ToUnixTimeMilliseconds();
                k.Value = e.Kind;
                b.Value = (object?)e.BotId ?? DBNull.Value;
                s.Value = (object?)e.State ?? DBNull.Value;
                m.Value = e.Message;
                a.Value = (object?)e.Actor ?? DBNull.Value;
                ep.Value = (object?)e.Epoch ?? DBNull.Value;
                long id = (long)cmd.ExecuteScalar()!;
                stored.Add(e with { Id = id });
            }
            tx.Commit();
            return stored;
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<BotEvent>> ReadEventsAsync(long afterId, int limit, string? botId = null, CancellationToken cancellationToken = default) =>
        QueryEventsAsync(
            "SELECT " + EventRows.Columns + " FROM events WHERE id > $after AND ($bot IS NULL OR bot_id = $bot) ORDER BY id LIMIT $limit",
            afterId, limit, botId, reverse: false, cancellationToken);

    public Task<IReadOnlyList<BotEvent>> ReadLatestEventsAsync(int limit, string? botId = null, CancellationToken cancellationToken = default) =>
        QueryEventsAsync(
            "SELECT " + EventRows.Columns + " FROM events WHERE id > $after AND ($bot IS NULL OR bot_id = $bot) ORDER BY id DESC LIMIT $limit",
            0, limit, botId, reverse: true, cancellationToken);

    private async Task<IReadOnlyList<BotEvent>> QueryEventsAsync(string sql, long afterId, int limit, string? botId, bool reverse, CancellationToken cancellationToken)
    {
        return await ExclusiveAsync(() =>
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = sql;
            cmd.Parameters.AddWithValue("$after", afterId);
            cmd.Parameters.AddWithValue("$bot", (object?)botId ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$limit", limit);
            var list = new List<BotEvent>();
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                list.Add(EventRows.Read(reader));
            }
            if (reverse) list.Reverse();
            return list;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> PruneEventsAsync(DateTimeOffset olderThan, long keepNewest, int maxRows, CancellationToken cancellationToken = default)
    {
        return await ExclusiveAsync(() =>
        {
            // The newest id past the count limit: it and every older event go.
            using var cutoff = _connection.CreateCommand();
            cutoff.CommandText = "SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET $keep";
            cutoff.Parameters.AddWithValue("$keep", keepNewest);
            long byCount = cutoff.ExecuteScalar() is long id ? id : 0;
            long beforeMs = olderThan.ToUnixTimeMilliseconds();
            if (byCount == 0)
            {
                // Nothing past the count: is the oldest event past the age? (Then the scan below starts with a match.)
                using var oldest = _connection.CreateCommand();
                oldest.CommandText = "SELECT time_ms FROM events ORDER BY id LIMIT 1";
                if (oldest.ExecuteScalar() is not long oldestMs || oldestMs >= beforeMs) return 0;
            }
            using var delete = _connection.CreateCommand();
            delete.CommandText = "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE id <= $byCount OR time_ms < $before ORDER BY id LIMIT $max)";
            delete.Parameters.AddWithValue("$byCount", byCount);
            delete.Parameters.AddWithValue("$before", beforeMs);
            delete.Parameters.AddWithValue("$max", maxRows);
            return delete.ExecuteNonQuery();
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task SaveWorkersAsync(IReadOnlyList<WorkerRecord> workers, CancellationToken cancellationToken = default)
    {
        await ExclusiveAsync(() =>
        {
            using var tx = _connection.BeginTransaction();
            using var cmd = _connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT OR REPLACE INTO workers (bot_id, pid, pgid, start_time, started_ms) VALUES ($b, $p, $g, $s, $t)";
            var b = cmd.Parameters.Add("$b", SqliteType.Text);
            var p = cmd.Parameters.Add("$p", SqliteType.Integer);
            var g = cmd.Parameters.Add("$g", SqliteType.Integer);
            var s = cmd.Parameters.Add("$s", SqliteType.Integer);
            var t = cmd.Parameters.Add("$t", SqliteType.Integer);
            foreach (var w in workers)
            {
                b.Value = w.BotId;
                p.Value = w.Pid;
                g.Value = w.ProcessGroup;
                s.Value = (long)w.StartTime;
                t.Value = w.StartedAt.ToUnixTimeMilliseconds();
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteWorkersAsync(IReadOnlyList<WorkerRecord> workers, CancellationToken cancellationToken = default)
    {
        await ExclusiveAsync(() =>
        {
            using var tx = _connection.BeginTransaction();
            using var cmd = _connection.CreateCommand();
            cmd.Transaction = tx;
            // Only the record of that very worker: a newer worker of the same bot keeps its record.
            cmd.CommandText = "DELETE FROM workers WHERE bot_id = $b AND pid = $p";
            var b = cmd.Parameters.Add("$b", SqliteType.Text);
            var p = cmd.Parameters.Add("$p", SqliteType.Integer);
            foreach (var w in workers)
            {
                b.Value = w.BotId;
                p.Value = w.Pid;
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<WorkerRecord>> LoadWorkersAsync(CancellationToken cancellationToken = default)
    {
        return await ExclusiveAsync(() =>
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT bot_id, pid, pgid, start_time, started_ms FROM workers ORDER BY bot_id";
            using var reader = cmd.ExecuteReader();
            var list = new List<WorkerRecord>();
            while (reader.Read())
            {
                list.Add(new WorkerRecord(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), (ulong)reader.GetInt64(3),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
            }
            return list;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredBot>> LoadBotsAsync(CancellationToken cancellationToken = default)
    {
        return await ExclusiveAsync(() =>
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT id, definition, updated_ms, actor FROM bots ORDER BY id";
            using var reader = cmd.ExecuteReader();
            var list = new List<StoredBot>();
            while (reader.Read())
            {
                list.Add(new StoredBot(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetString(3)));
            }
            return list;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task SaveBotAsync(StoredBot bot, CancellationToken cancellationToken = default)
    {
        await ExclusiveAsync(() =>
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "INSERT OR REPLACE INTO bots (id, definition, updated_ms, actor) VALUES ($i, $d, $u, $a)";
            cmd.Parameters.AddWithValue("$i", bot.Id);
            cmd.Parameters.AddWithValue("$d", bot.Definition);
            cmd.Parameters.AddWithValue("$u", bot.UpdatedAt.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$a", bot.Actor);
            cmd.ExecuteNonQuery();
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteBotAsync(string botId, CancellationToken cancellationToken = default)
    {
        await ExclusiveAsync(() =>
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "DELETE FROM bots WHERE id = $i";
            cmd.Parameters.AddWithValue("$i", botId);
            cmd.ExecuteNonQuery();
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SourceSnapshot>> LoadSourceSnapshotsAsync(CancellationToken cancellationToken = default)
    {
        return await ExclusiveAsync(() =>
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT name, generation, fetched_ms, definitions FROM source_snapshots ORDER BY name";
            using var reader = cmd.ExecuteReader();
            var list = new List<SourceSnapshot>();
            while (reader.Read())
            {
                list.Add(new SourceSnapshot(reader.GetString(0), reader.GetInt64(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetString(3)));
            }
            return list;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task SaveSourceSnapshotAsync(SourceSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        await ExclusiveAsync(() =>
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "INSERT OR REPLACE INTO source_snapshots (name, generation, fetched_ms, definitions) VALUES ($n, $g, $f, $d)";
            cmd.Parameters.AddWithValue("$n", snapshot.Name);
            cmd.Parameters.AddWithValue("$g", snapshot.Generation);
            cmd.Parameters.AddWithValue("$f", snapshot.FetchedAt.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$d", snapshot.Definitions);
            cmd.ExecuteNonQuery();
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteSourceSnapshotAsync(string name, CancellationToken cancellationToken = default)
    {
        await ExclusiveAsync(() =>
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "DELETE FROM source_snapshots WHERE name = $n";
            cmd.Parameters.AddWithValue("$n", name);
            cmd.ExecuteNonQuery();
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> with the connection to itself: one caller at a time.</summary>
    private async Task<T> ExclusiveAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return work();
        }
        catch (SqliteException ex) when ((ex.SqliteErrorCode & 0xFF) is SqliteFull or SqliteIoErr)
        {
            bool full = (ex.SqliteErrorCode & 0xFF) == SqliteFull;
            throw new StoreUnavailableException(full ? $"the state directory's disk is full: {ex.Message}" : $"the state directory could not be written: {ex.Message}", ex) { DiskFull = full };
        }
        catch (IOException ex)
        {
            throw new StoreUnavailableException($"the state directory could not be written: {ex.Message}", ex) { DiskFull = IsDiskFull(ex) };
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>ENOSPC (28) or EDQUOT (122) in an IOException's HResult.</summary>
    private static bool IsDiskFull(IOException ex) => (ex.HResult & 0xFFFF) is 28 or 122;

    private void Execute(string sql, SqliteTransaction? tx = null)
    {
        using var cmd = _connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private object? Scalar(string sql) => Scalar(_connection, sql);

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }
}
