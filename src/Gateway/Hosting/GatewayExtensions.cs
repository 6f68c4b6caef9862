using HazardGrid.Gateway.Errors;
using HazardGrid.Gateway.Security;
using HazardGrid.Gateway.Services;
using HazardGrid.Regions;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HazardGrid.Gateway.Hosting;

/// <summary>Registers and maps the gRPC API and its health (gRPC health, <c>/healthz</c>, <c>/readyz</c>;
/// see <see cref="HealthExtensions"/>), with its credentials and limits (<see cref="SecurityExtensions"/>). Used by the standalone gateway and by the silo host when it
/// co-hosts the gateway.</summary>
public static class GatewayExtensions
{
    public static IServiceCollection AddHazardGridGateway(this IServiceCollection services)
    {
        services.AddGrpc(o =>
        {
            o.Interceptors.Add<DomainErrorInterceptor>();
            o.Interceptors.Add<CallDeadlineInterceptor>();
            o.MaxReceiveMessageSize = 4 * 1024 * 1024;
        });
        services.AddGrpcReflection();
        services.AddHazardGridSecurity();
        services.AddHazardGridHealth();
        services.TryAddSingleton(RegionCatalog.Shandong);
        return services;
    }

    /// <summary>Maps the services behind the authentication, authorization and rate limiting
    /// middleware (added here, once per process: the silo's operations endpoints rely on them too).
    /// Only the API services require a credential; health, reflection and the probes stay anonymous.</summary>
    public static WebApplication MapHazardGridGateway(this WebApplication endpoints)
    {
        endpoints.UseAuthentication();
        endpoints.UseAuthorization();
        endpoints.UseRateLimiter();
        endpoints.MapGrpcService<EnterpriseApi>().RequireCredential();
        endpoints.MapGrpcService<HazardApi>().RequireCredential();
        endpoints.MapGrpcService<RegionApi>().RequireCredential();
        endpoints.MapGrpcHealthChecksService();
        endpoints.MapGrpcReflectionService();
        endpoints.MapHazardGridProbes();
        return endpoints;
    }
}
