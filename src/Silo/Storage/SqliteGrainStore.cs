using Microsoft.Data.Sqlite;

namespace HazardGrid.Silo.Storage;

/// <summary>
/// The embedded mode's durable store: one SQLite file holding grain state through Orleans'
/// ADO.NET persistence provider. Creates the file and applies the project's schema at start-up
/// (idempotent), in WAL mode so that a committed write survives a killed process.
/// </summary>
public static class SqliteGrainStore
{
    /// <summary>The ADO.NET invariant under which the provider loads Microsoft.Data.Sqlite's factory.</summary>
    public const string Invariant = "System.Data.SQLite";

    public static string ConnectionString(string dataDirectory) => new SqliteConnectionStringBuilder
    {
        DataSource = Path.Combine(Path.GetFullPath(dataDirectory), "hazardgrid.db"),
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    public static void EnsureSchema(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        Directory.CreateDirectory(Path.GetDirectoryName(builder.DataSource)!);
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        using var transaction = connection.BeginTransaction();
        foreach (var script in Scripts())
        {
            Execute(connection, script, transaction);
        }

        transaction.Commit();
    }

    private static IEnumerable<string> Scripts()
    {
        var assembly = typeof(SqliteGrainStore).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("HazardGrid.Silo.Storage.Sqlite.", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            yield return reader.ReadToEnd();
        }
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
