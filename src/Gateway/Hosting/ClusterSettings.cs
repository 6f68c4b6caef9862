using Orleans.Configuration;

namespace HazardGrid.Gateway.Hosting;

public enum HazardGridMode
{
    /// <summary>One process, localhost clustering, grain state in an SQLite file.</summary>
    Embedded,

    /// <summary>A cluster of silos and gateways on PostgreSQL (membership and grain state).</summary>
    PostgreSql,
}

/// <summary>
/// How a process finds its cluster, shared by silos and standalone gateways: <c>HazardGrid:Mode</c>,
/// <c>HazardGrid:ClusterId</c>, <c>HazardGrid:ServiceId</c>, and in PostgreSQL mode the connection
/// string <c>ConnectionStrings:HazardGrid</c> (environment: <c>ConnectionStrings__HazardGrid</c>).
/// </summary>
public sealed record ClusterSettings(HazardGridMode Mode, string ClusterId, string ServiceId, string? ConnectionString)
{
    /// <summary>The ADO.NET invariant Orleans' providers load Npgsql's factory under.</summary>
    public const string PostgreSqlInvariant = "Npgsql";

    public static ClusterSettings Read(IConfiguration configuration)
    {
        var modeText = configuration["HazardGrid:Mode"];
        var mode = HazardGridMode.Embedded;
        if (!string.IsNullOrEmpty(modeText) && !Enum.TryParse(modeText, ignoreCase: true, out mode))
        {
            throw new InvalidOperationException($"HazardGrid:Mode is '{modeText}'; it must be Embedded or PostgreSql.");
        }

        var connectionString = configuration.GetConnectionString("HazardGrid");
        if (mode == HazardGridMode.PostgreSql && string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException("PostgreSql mode needs the connection string ConnectionStrings:HazardGrid (environment variable ConnectionStrings__HazardGrid).");
        }

        return new ClusterSettings(
            mode,
            configuration["HazardGrid:ClusterId"] ?? "hazardgrid-dev",
            configuration["HazardGrid:ServiceId"] ?? "hazardgrid",
            mode == HazardGridMode.PostgreSql ? WithProviderDefaults(connectionString!) : connectionString);
    }

    /// <summary>
    /// Npgsql settings that suit Orleans' ADO.NET providers, unless the connection string sets them.
    /// The providers run the same few statements on pooled connections and keep no session state,
    /// so: prepare those statements once per connection, and skip the reset Npgsql otherwise runs
    /// each time a connection returns to the pool (measurements: bench/README.md).
    /// </summary>
    public static string WithProviderDefaults(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        bool Given(params string[] keys) => keys.Any(given.ContainsKey);
        if (!Given("Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 32;
        }

        if (!Given("Auto Prepare Min Usages", "AutoPrepareMinUsages"))
        {
            builder.AutoPrepareMinUsages = 2;
        }

        if (!Given("No Reset On Close", "NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }
}

public static class ClusterClientExtensions
{
    /// <summary>
    /// The standalone gateway's Orleans client. A short response timeout: when a silo dies
    /// mid-call the client gives up in seconds (the caller retries with its request id) instead of
    /// the default 30 s.
    /// </summary>
    public static IClientBuilder UseHazardGridCluster(this IClientBuilder client, ClusterSettings cluster, int localGatewayPort)
    {
        if (cluster.Mode == HazardGridMode.PostgreSql)
        {
            client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.ClusterId, cluster.ServiceId));
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = ClusterSettings.PostgreSqlInvariant;
                o.ConnectionString = cluster.ConnectionString;
            });
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        }
        else
        {
            client.UseLocalhostClustering(localGatewayPort, cluster.ServiceId, cluster.ClusterId);
        }

        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
        return client;
    }
}
