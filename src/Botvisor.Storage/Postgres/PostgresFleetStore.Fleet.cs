using Botvisor.Core.Cluster;
using Npgsql;

namespace Botvisor.Storage.Postgres;

/// <summary>The cluster's fleet: one row, replaced whole by a publication, its generation one more each time.</summary>
public sealed partial class PostgresFleetStore : IClusterFleetStore
{
    private const string FleetColumns = "generation, text, path, base_directory, variable_names, variable_values, node, published_at";

    public async Task<PublishedFleet?> ReadFleetAsync(CancellationToken cancellationToken = default)
    {
        return await RunAsync(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand($"SELECT {FleetColumns} FROM cluster_fleet", conn);
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadFleet(reader) : null;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<PublishedFleet?> ReadFleetHeaderAsync(CancellationToken cancellationToken = default)
    {
        return await RunAsync(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand("SELECT generation, '', path, '', '{}'::text[], '{}'::text[], node, published_at, digest FROM cluster_fleet", conn);
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadFleet(reader) with { Digest = reader.GetString(8) } : null;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string?> LastReadAsync(CancellationToken cancellationToken = default)
    {
        return await RunAsync(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand("SELECT digest FROM fleet_reads WHERE node = $1", conn);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Node });
            return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task RecordReadAsync(string digest, CancellationToken cancellationToken = default)
    {
        await RunAsync(async (conn, ct) =>
        {
            await using var cmd = RecordRead(conn, null, digest);
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    private NpgsqlCommand RecordRead(NpgsqlConnection conn, NpgsqlTransaction? tx, string digest)
    {
        var cmd = new NpgsqlCommand(
            """
            INSERT INTO fleet_reads (node, digest, read_at) VALUES ($1, $2, now())
            ON CONFLICT (node) DO UPDATE SET digest = excluded.digest, read_at = now()
            """, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Node });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = digest });
        return cmd;
    }

    public async Task<bool> NameTakenAsync(CancellationToken cancellationToken = default)
    {
        return await RunAsync(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand(
                "SELECT count(*) > 0 FROM nodes WHERE name = $1 AND instance <> $2 AND left_at IS NULL AND heartbeat_at > now() - $3", conn);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Node });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Instance });
            cmd.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = Lease, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Interval });
            return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<PublishedFleet> PublishFleetAsync(FleetDocument document, CancellationToken cancellationToken = default)
    {
        return await RunAsync(async (conn, ct) =>
        {
            await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
            var names = document.Variables.Keys.Order(StringComparer.Ordinal).ToArray();
            await using (var write = new NpgsqlCommand(
                """
                INSERT INTO cluster_fleet (generation, digest, text, path, base_directory, variable_names, variable_values, node, published_at)
                VALUES (1, $1, $2, $3, $4, $5, $6, $7, now())
                ON CONFLICT (one) DO UPDATE SET generation = cluster_fleet.generation + 1, digest = excluded.digest, text = excluded.text,
                    path = excluded.path, base_directory = excluded.base_directory, variable_names = excluded.variable_names,
                    variable_values = excluded.variable_values, node = excluded.node, published_at = now()
                WHERE cluster_fleet.digest <> excluded.digest
                """, conn, tx))
            {
                write.Parameters.Add(new NpgsqlParameter<string> { TypedValue = document.Digest });
                write.Parameters.Add(new NpgsqlParameter<string> { TypedValue = document.Text });
                write.Parameters.Add(new NpgsqlParameter<string> { TypedValue = document.Path });
                write.Parameters.Add(new NpgsqlParameter<string> { TypedValue = document.BaseDirectory });
                write.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = names });
                write.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = names.Select(n => document.Variables[n]).ToArray() });
                write.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Node });
                await write.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            await using (var read = RecordRead(conn, tx, document.Digest))
            {
                await read.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            PublishedFleet published;
            await using (var select = new NpgsqlCommand($"SELECT {FleetColumns} FROM cluster_fleet", conn, tx))
            await using (var reader = await select.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                await reader.ReadAsync(ct).ConfigureAwait(false);
                published = ReadFleet(reader);
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return published;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task SetWishAsync(string botId, bool? running, string actor, CancellationToken cancellationToken = default)
    {
        await RunAsync(async (conn, ct) =>
        {
            await using var cmd = running is null
                ? new NpgsqlCommand("DELETE FROM bot_wishes WHERE bot_id = $1", conn)
                : new NpgsqlCommand(
                    """
                    INSERT INTO bot_wishes (bot_id, running, actor, wished_at) VALUES ($1, $2, $3, now())
                    ON CONFLICT (bot_id) DO UPDATE SET running = excluded.running, actor = excluded.actor, wished_at = now()
                    """, conn);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = botId });
            if (running is { } run)
            {
                cmd.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = run });
                cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = actor });
            }
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static PublishedFleet ReadFleet(NpgsqlDataReader reader)
    {
        var names = reader.GetFieldValue<string[]>(4);
        var values = reader.GetFieldValue<string[]>(5);
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < Math.Min(names.Length, values.Length); i++) variables[names[i]] = values[i];
        var document = new FleetDocument(reader.GetString(1), reader.GetString(2), reader.GetString(3), variables);
        return new PublishedFleet(reader.GetInt64(0), document, reader.GetString(6), reader.GetFieldValue<DateTimeOffset>(7));
    }
}
