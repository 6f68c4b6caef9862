using HazardGrid.Gateway.Hosting;
using Npgsql;
using Xunit;

namespace HazardGrid.Tests.Cluster;

public sealed class ClusterSettingsTests
{
    [Fact]
    public void PostgreSQL_connections_prepare_statements_and_skip_the_pool_reset_unless_told_otherwise()
    {
        var tuned = new NpgsqlConnectionStringBuilder(ClusterSettings.WithProviderDefaults("Host=db;Username=hg;Password=secret;Database=hazardgrid"));
        Assert.Equal(32, tuned.MaxAutoPrepare);
        Assert.Equal(2, tuned.AutoPrepareMinUsages);
        Assert.True(tuned.NoResetOnClose);
        Assert.Equal(("db", "hg", "secret", "hazardgrid"), (tuned.Host, tuned.Username, tuned.Password, tuned.Database));

        var chosen = new NpgsqlConnectionStringBuilder(ClusterSettings.WithProviderDefaults("Host=db;Max Auto Prepare=0;NoResetOnClose=false;Auto Prepare Min Usages=7"));
        Assert.Equal(0, chosen.MaxAutoPrepare);
        Assert.Equal(7, chosen.AutoPrepareMinUsages);
        Assert.False(chosen.NoResetOnClose);
    }
}
