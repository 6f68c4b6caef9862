using System.Diagnostics;
using System.Globalization;

namespace HazardGrid.Bench;

/// <summary>PostgreSQL's own limit on this machine: what the service's durable writes are held against.</summary>
public static class PostgresBaseline
{
    /// <summary>
    /// Durable single-row inserts per second by <c>pgbench</c> into the given database: a row about
    /// the size of a hazard's state, one per transaction, committed with PostgreSQL's defaults.
    /// </summary>
    public static async Task<double> SingleRowInsertsPerSecond(string connectionString, int clients, TimeSpan duration)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        await using (var connection = new Npgsql.NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand("CREATE TABLE IF NOT EXISTS bench_insert (id bigserial PRIMARY KEY, payload bytea)", connection);
            await create.ExecuteNonQueryAsync();
        }

        var script = Path.GetTempFileName();
        await File.WriteAllTextAsync(script, "INSERT INTO bench_insert (payload) VALUES (decode(repeat('ab', 900), 'hex'));\n");
        var pgbench = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "pgbench")).First(File.Exists);
        var start = new ProcessStartInfo(pgbench,
            ["-n", "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", "2", "-T", ((int)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture),
             "-f", script, "-h", builder.Host!, "-p", builder.Port.ToString(CultureInfo.InvariantCulture), "-U", builder.Username!, builder.Database!])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        File.Delete(script);
        var line = output.Split('\n').First(l => l.StartsWith("tps = ", StringComparison.Ordinal));
        return double.Parse(line.Split(' ')[2], CultureInfo.InvariantCulture);
    }
}
