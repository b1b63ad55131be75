using Npgsql;

namespace Botvisor.Storage.Postgres;

/// <summary>
/// The store setting as people write it: a URL (<c>postgres://user:password@host:5432/botvisor?sslmode=require</c>,
/// as libpq and most hosting panels give it) or Npgsql's <c>Host=…;Database=…</c> form. Its text is never
/// shown: <see cref="Describe"/> names host, port and database only (the password stays out of logs).
/// </summary>
public static class PostgresConnectionString
{
    public static bool IsPostgres(string store) =>
        store.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || store.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || store.Contains("Host=", StringComparison.OrdinalIgnoreCase);

    /// <summary>Npgsql's form of <paramref name="store"/>; throws <see cref="ArgumentException"/> naming what is wrong (never the password).</summary>
    public static string ToNpgsql(string store)
    {
        if (!store.Contains("://", StringComparison.Ordinal))
        {
            try
            {
                return new NpgsqlConnectionStringBuilder(store).ConnectionString;
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"the store's connection string is not valid: {ex.Message.Split('(')[0].Trim()}", ex);
            }
        }
        if (!Uri.TryCreate(store, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgres" or "postgresql") || uri.Host.Length == 0)
        {
            throw new ArgumentException("the store is not a postgres:// URL such as postgres://botvisor:secret@127.0.0.1:5432/botvisor");
        }
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } db ? db : "botvisor",
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) builder.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            string key = Uri.UnescapeDataString(kv[0]);
            string value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            switch (key)
            {
                case "sslmode": builder.SslMode = Enum.Parse<SslMode>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true); break;
                case "application_name": builder.ApplicationName = value; break;
                case "connect_timeout": builder.Timeout = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"the store URL's parameter '{key}' is not known (known: sslmode, application_name, connect_timeout)");
            }
        }
        return builder.ConnectionString;
    }

    /// <summary>Host, port and database, for logs and status (no user, no password).</summary>
    public static string Describe(string store)
    {
        try
        {
            var b = new NpgsqlConnectionStringBuilder(ToNpgsql(store));
            return $"postgres://{b.Host}:{b.Port}/{b.Database}";
        }
        catch (ArgumentException)
        {
            return "postgres (invalid connection string)";
        }
    }
}
