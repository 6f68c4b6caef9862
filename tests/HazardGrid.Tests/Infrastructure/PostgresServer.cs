using System.Diagnostics;
using Npgsql;

namespace HazardGrid.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server for the cluster tests: the one named by <c>HAZARDGRID_TEST_POSTGRES</c>
/// (CI starts it with <c>.ci/postgres-up</c>), or else one this process starts itself from the
/// Debian package's binaries on a free loopback port. Each test gets a fresh database.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string? _dataDirectory;
    private readonly string? _bin;

    private PostgresServer(string connectionString, string? dataDirectory, string? bin)
    {
        AdminConnectionString = connectionString;
        _dataDirectory = dataDirectory;
        _bin = bin;
    }

    public string AdminConnectionString { get; }

    public static async Task<PostgresServer> StartAsync() =>
        Environment.GetEnvironmentVariable("HAZARDGRID_TEST_POSTGRES") is { Length: > 0 } given
            ? new PostgresServer(given, null, null)
            : await StartPrivateAsync();

    /// <summary>A server of this process's own, which a test may stop and start.</summary>
    public static async Task<PostgresServer> StartPrivateAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "pg_ctl"))).Order().LastOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException(
                "The cluster tests need PostgreSQL: install Debian's postgresql package (CI does: .ci/postgres-up), or set HAZARDGRID_TEST_POSTGRES to a server's connection string.");
        }

        var data = Path.Combine(Path.GetTempPath(), "hazardgrid-test-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var port = SiloProcess.FreePort();
        await RunAsPostgres("chown", "postgres", data);
        await RunAsPostgres(Path.Combine(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres");
        // The server's settings go into its own configuration, so a restart needs no arguments.
        await RunAsPostgres("sh", "-c", $"printf \"listen_addresses = '127.0.0.1'\\nport = {port}\\nmax_connections = 400\\nunix_socket_directories = '{data}'\\n\" >> {data}/postgresql.auto.conf");
        await RunAsPostgres(Path.Combine(bin, "pg_ctl"), "-D", data, "-l", Path.Combine(data, "server.log"), "-w", "start");
        return new PostgresServer($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres", data, bin);
    }

    /// <summary>A new, empty database; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "hg_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, MaxPoolSize = 30 }.ToString();
    }

    public async Task StopAsync() => await RunAsPostgres(Path.Combine(_bin!, "pg_ctl"), "-D", _dataDirectory!, "-m", "immediate", "-w", "stop");

    public async Task RestartAsync() => await RunAsPostgres(Path.Combine(_bin!, "pg_ctl"), "-D", _dataDirectory!, "-l", Path.Combine(_dataDirectory!, "server.log"), "-w", "start");

    /// <summary>Whether this process owns the server (and so can stop and start it).</summary>
    public bool Owned => _dataDirectory is not null;

    public async ValueTask DisposeAsync()
    {
        if (_dataDirectory is null)
        {
            return;
        }

        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // already stopped
        }

        Directory.Delete(_dataDirectory, recursive: true);
    }

    private static async Task RunAsPostgres(string program, params string[] arguments)
    {
        var asRoot = Environment.UserName == "root";
        var start = new ProcessStartInfo(asRoot && program != "chown" ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asRoot && program != "chown")
        {
            foreach (var a in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(a);
            }
        }

        if (program == "chown" && !asRoot)
        {
            return;
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await error}");
        }
    }
}
