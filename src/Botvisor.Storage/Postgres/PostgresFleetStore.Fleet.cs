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

    public async Task<string?> LastPublishedByAsync(string node, CancellationToken cancellationToken = default)
    {
        return await RunAsync(async (conn, ct) =>
        {
            await using var cmd = new NpgsqlCommand("SELECT digest FROM fleet_publishers WHERE node = $1", conn);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node });
            return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<PublishedFleet> PublishFleetAsync(FleetDocument document, string node, CancellationToken cancellationToken = default)
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
                write.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node });
                await write.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            await using (var mine = new NpgsqlCommand(
                """
                INSERT INTO fleet_publishers (node, digest, published_at) VALUES ($1, $2, now())
                ON CONFLICT (node) DO UPDATE SET digest = excluded.digest, published_at = now()
                """, conn, tx))
            {
                mine.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node });
                mine.Parameters.Add(new NpgsqlParameter<string> { TypedValue = document.Digest });
                await mine.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            PublishedFleet published;
            await using (var read = new NpgsqlCommand($"SELECT {FleetColumns} FROM cluster_fleet", conn, tx))
            await using (var reader = await read.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                await reader.ReadAsync(ct).ConfigureAwait(false);
                published = ReadFleet(reader);
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return published;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task SetStoppedAsync(string botId, string? actor, CancellationToken cancellationToken = default)
    {
        await RunAsync(async (conn, ct) =>
        {
            await using var cmd = actor is null
                ? new NpgsqlCommand("DELETE FROM bot_stops WHERE bot_id = $1", conn)
                : new NpgsqlCommand("INSERT INTO bot_stops (bot_id, actor, stopped_at) VALUES ($1, $2, now()) ON CONFLICT (bot_id) DO UPDATE SET actor = excluded.actor, stopped_at = now()", conn);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = botId });
            if (actor is not null) cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = actor });
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
