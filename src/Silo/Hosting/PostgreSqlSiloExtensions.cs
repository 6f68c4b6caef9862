using System.Net;
using HazardGrid.Common;
using HazardGrid.Gateway.Hosting;
using HazardGrid.Silo.Storage;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace HazardGrid.Silo.Hosting;

public static class PostgreSqlSiloExtensions
{
    /// <summary>
    /// PostgreSQL mode: membership and grain state in PostgreSQL through Orleans' ADO.NET providers,
    /// the project's schema migrated first. Failure detection is tuned so that a killed silo is
    /// declared dead within a few seconds rather than the default 6–15 s (a hung one in ~10 s).
    /// </summary>
    public static ISiloBuilder UseHazardGridPostgreSql(this ISiloBuilder silo, ClusterSettings cluster, SiloHostOptions options)
    {
        var connectionString = cluster.ConnectionString!;
        PostgreSqlSchema.MigrateAsync(connectionString).GetAwaiter().GetResult();

        // Inside Kubernetes only (the package fails at start anywhere else): pod labels and
        // watching pods that vanish, from POD_NAME, POD_NAMESPACE, POD_IP and ORLEANS_* variables.
        if (Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is { Length: > 0 })
        {
            silo.UseKubernetesHosting();
        }

        silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.ClusterId, cluster.ServiceId));
        silo.ConfigureEndpoints(
            IPAddress.Parse(options.AdvertisedAddress ?? Environment.GetEnvironmentVariable("POD_IP") ?? "127.0.0.1"),
            options.SiloPort,
            options.GatewayPort,
            listenOnAnyHostAddress: options.AdvertisedAddress is not null || Environment.GetEnvironmentVariable("POD_IP") is not null);
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = ClusterSettings.PostgreSqlInvariant;
            o.ConnectionString = connectionString;
        });
        silo.AddHazardGridGrainStore(
            ClusterSettings.PostgreSqlInvariant, connectionString, () => new Npgsql.NpgsqlConnection(connectionString), GroupCommitOptions.PostgreSql, options.GroupCommit);
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.NumMissedProbesLimit = 2;
            o.NumVotesForDeathDeclaration = 1;   // a two-silo cluster must be able to declare one dead
            o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
        });
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
        return silo;
    }
}
