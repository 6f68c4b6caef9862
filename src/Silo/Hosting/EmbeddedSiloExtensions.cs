using HazardGrid.Common;
using HazardGrid.Gateway.Hosting;
using HazardGrid.Silo.Storage;
using Microsoft.Data.Sqlite;
using Orleans.Serialization;
using Orleans.Storage;

namespace HazardGrid.Silo.Hosting;

/// <summary>Settings of the silo process, bound from the <c>HazardGrid</c> configuration section.</summary>
public sealed class SiloHostOptions
{
    public const string Section = "HazardGrid";

    /// <summary>Where the embedded mode keeps its SQLite file. Relative paths are from the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>PostgreSQL mode: the address other silos and clients reach this silo at
    /// (in Kubernetes the pod IP from <c>POD_IP</c>); loopback when unset.</summary>
    public string? AdvertisedAddress { get; set; }

    public bool Dashboard { get; set; } = true;

    /// <summary>
    /// Grain state writes of many grains committed together (<see cref="Storage.GroupCommitGrainStorage"/>);
    /// off, every write is its own transaction. On by default; the switch is there to measure it.
    /// </summary>
    public bool GroupCommit { get; set; } = true;
}

public static class EmbeddedSiloExtensions
{
    private const int SqliteMinThreads = 128;

    /// <summary>
    /// The embedded mode: one silo on loopback, grain state in an SQLite file under
    /// <see cref="SiloHostOptions.DataDirectory"/>, so state survives a restart with nothing to install.
    /// </summary>
    public static ISiloBuilder UseHazardGridEmbedded(this ISiloBuilder silo, ClusterSettings cluster, SiloHostOptions options)
    {
        silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
        silo.AddHazardGridSqliteStorage(options.DataDirectory, options.GroupCommit);
        return silo;
    }

    /// <summary>Grain state in an SQLite file under <paramref name="dataDirectory"/>, schema applied first.</summary>
    public static ISiloBuilder AddHazardGridSqliteStorage(this ISiloBuilder silo, string dataDirectory, bool groupCommit = true)
    {
        // Microsoft.Data.Sqlite does its I/O synchronously, and a writer waiting for SQLite's
        // single write lock sleeps on its thread. With the thread pool's default minimum those
        // blocked writers starve everything else (bench/README.md): keep enough threads ready.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, SqliteMinThreads), Math.Max(io, SqliteMinThreads));

        var connectionString = SqliteGrainStore.ConnectionString(dataDirectory);
        SqliteGrainStore.EnsureSchema(connectionString);
        silo.AddHazardGridGrainStore(
            SqliteGrainStore.Invariant, connectionString, () => new SqliteConnection(connectionString), GroupCommitOptions.Sqlite, groupCommit);
        return silo;
    }

    public static SiloHostOptions GetSiloHostOptions(this IConfiguration configuration)
    {
        var options = new SiloHostOptions();
        configuration.GetSection(SiloHostOptions.Section).Bind(options);
        return options;
    }
}
