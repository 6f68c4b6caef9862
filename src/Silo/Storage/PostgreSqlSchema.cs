using Npgsql;

namespace HazardGrid.Silo.Storage;

/// <summary>
/// The PostgreSQL schema's migrations: the scripts under <c>Storage/PostgreSql</c>, numbered and
/// applied in order, each once, recorded in <c>hg_schema_migrations</c>. Several silos starting
/// together take turns under an advisory lock; every script is idempotent as well.
/// </summary>
public static class PostgreSqlSchema
{
    private const long AdvisoryLockKey = 0x4847_5343_4845_4D41; // "HGSCHEMA"

    /// <summary>Applies the migrations not yet applied; returns the versions it applied.</summary>
    public static async Task<IReadOnlyList<int>> MigrateAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var applied = new List<int>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Execute(connection, transaction, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey});", cancellationToken);
        await Execute(connection, transaction, """
            CREATE TABLE IF NOT EXISTS hg_schema_migrations (
                version    integer     NOT NULL PRIMARY KEY,
                name       text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now());
            """, cancellationToken);

        var done = new HashSet<int>();
        await using (var read = new NpgsqlCommand("SELECT version FROM hg_schema_migrations", connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                done.Add(reader.GetInt32(0));
            }
        }

        foreach (var (version, name, sql) in Scripts().Where(s => !done.Contains(s.Version)))
        {
            await Execute(connection, transaction, sql, cancellationToken);
            await using var record = new NpgsqlCommand("INSERT INTO hg_schema_migrations (version, name) VALUES ($1, $2)", connection, transaction);
            record.Parameters.AddWithValue(version);
            record.Parameters.AddWithValue(name);
            await record.ExecuteNonQueryAsync(cancellationToken);
            applied.Add(version);
        }

        await transaction.CommitAsync(cancellationToken);
        return applied;
    }

    /// <summary>The embedded scripts, by the number their file name starts with.</summary>
    public static IEnumerable<(int Version, string Name, string Sql)> Scripts()
    {
        var assembly = typeof(PostgreSqlSchema).Assembly;
        const string Prefix = "HazardGrid.Silo.Storage.PostgreSql.";
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var name = resource[Prefix.Length..];
            var version = int.Parse(name[..name.IndexOf('-')], System.Globalization.CultureInfo.InvariantCulture);
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            yield return (version, name, reader.ReadToEnd());
        }
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
