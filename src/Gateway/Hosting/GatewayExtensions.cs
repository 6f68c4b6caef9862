using HazardGrid.Gateway.Errors;
using HazardGrid.Gateway.Services;
using HazardGrid.Regions;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HazardGrid.Gateway.Hosting;

/// <summary>Registers and maps the gRPC API and its health (gRPC health, <c>/healthz</c>, <c>/readyz</c>;
/// see <see cref="HealthExtensions"/>). Used by the standalone gateway and by the silo host when it
/// co-hosts the gateway.</summary>
public static class GatewayExtensions
{
    public static IServiceCollection AddHazardGridGateway(this IServiceCollection services)
    {
        services.AddGrpc(o =>
        {
            o.Interceptors.Add<DomainErrorInterceptor>();
            o.MaxReceiveMessageSize = 4 * 1024 * 1024;
        });
        services.AddGrpcReflection();
        services.AddHazardGridHealth();
        services.TryAddSingleton(RegionCatalog.Shandong);
        return services;
    }

    public static IEndpointRouteBuilder MapHazardGridGateway(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<EnterpriseApi>();
        endpoints.MapGrpcService<HazardApi>();
        endpoints.MapGrpcService<RegionApi>();
        endpoints.MapGrpcHealthChecksService();
        endpoints.MapGrpcReflectionService();
        endpoints.MapHazardGridProbes();
        return endpoints;
    }
}
