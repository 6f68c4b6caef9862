using HazardGrid.Common;
using HazardGrid.Regions;
using HazardGrid.Rollups;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HazardGrid.Silo.Hosting;

public static class GrainServiceExtensions
{
    /// <summary>
    /// What the grains need from the silo's container: the region tree, the domain clock and the
    /// rollup timing. Storage and clustering are chosen separately by the host (or by a test).
    /// </summary>
    public static IServiceCollection AddHazardGridDomain(this IServiceCollection services, IConfiguration? configuration = null)
    {
        services.TryAddSingleton(RegionCatalog.Shandong);
        services.TryAddSingleton(DomainClock.System);
        var rollups = services.AddOptions<RollupOptions>();
        if (configuration is not null)
        {
            rollups.Bind(configuration.GetSection("HazardGrid:Rollups"));
        }

        return services;
    }
}
