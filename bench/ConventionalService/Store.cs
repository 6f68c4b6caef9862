using Grpc.Core;
using Npgsql;

namespace HazardGrid.Conventional;

/// <summary>The tables, created at start, and one transaction per call.</summary>
public static class Store
{
    // requests: the first answer to each request id (per enterprise and kind), so a retry gets it again.
    // region_counters: one row per region that has hazards, written in the report's transaction.
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS enterprises (
            credit_code text PRIMARY KEY,
            display_name text NOT NULL,
            town text NOT NULL,
            sectors int[] NOT NULL,
            principal text NOT NULL,
            principal_phone text NOT NULL,
            actual_controller text NOT NULL,
            actual_controller_phone text NOT NULL,
            safety_director text,
            last_hazard_number int NOT NULL DEFAULT 0,
            registered_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL);
        CREATE TABLE IF NOT EXISTS hazards (
            credit_code text NOT NULL REFERENCES enterprises,
            number int NOT NULL,
            version bigint NOT NULL,
            town text NOT NULL,
            sector int NOT NULL,
            channels int[] NOT NULL,
            criterion text NOT NULL,
            location text NOT NULL,
            finding_key text NOT NULL,
            description text NOT NULL,
            found_at timestamptz NOT NULL,
            registered_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            state int NOT NULL,
            supervision_level int NOT NULL,
            PRIMARY KEY (credit_code, number));
        CREATE INDEX IF NOT EXISTS hazards_open_findings ON hazards (credit_code, finding_key) WHERE state IN (1, 2, 3);
        CREATE TABLE IF NOT EXISTS requests (
            kind text NOT NULL,
            credit_code text NOT NULL,
            request_id text NOT NULL,
            fingerprint bytea NOT NULL,
            response bytea NOT NULL,
            PRIMARY KEY (kind, credit_code, request_id));
        CREATE TABLE IF NOT EXISTS region_counters (
            region text PRIMARY KEY,
            open int NOT NULL,
            registered int NOT NULL,
            open_stock int NOT NULL,
            open_increment int NOT NULL,
            at_county_level int NOT NULL,
            at_city_level int NOT NULL,
            at_province_level int NOT NULL);
        """;

    public static async Task CreateTablesAsync(NpgsqlDataSource data)
    {
        await using var command = data.CreateCommand(Schema);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one read-committed transaction and commits it. Two calls that
    /// race on a new key (the same request id, a new enterprise) or deadlock are run again: the second
    /// run then sees the first's rows, so a retried request still answers its first result.
    /// </summary>
    public static async Task<T> InTransaction<T>(NpgsqlDataSource data, Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var connection = await data.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            try
            {
                var result = await work(connection);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (PostgresException e) when (attempt < 3 && e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                await transaction.RollbackAsync(cancellationToken);
            }
        }
    }

    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return command;
    }

    public static RpcException Error(StatusCode code, string field, string reason) => new(new Status(code, $"{field}: {reason}"));
}
