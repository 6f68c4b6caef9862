using Google.Protobuf.Reflection;
using Google.Rpc;
using HazardGrid.Gateway.Errors;
using HazardGrid.Gateway.Services;
using HazardGrid.Regions;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HazardGrid.Gateway.Hosting;

/// <summary>Registers and maps the gRPC API (and its HTTP/JSON transcoding) and its health (gRPC health, <c>/healthz</c>, <c>/readyz</c>;
/// see <see cref="HealthExtensions"/>). Used by the standalone gateway and by the silo host when it
/// co-hosts the gateway.</summary>
public static class GatewayExtensions
{
    public static IServiceCollection AddHazardGridGateway(this IServiceCollection services)
    {
        // JSON transcoding serves every RPC as HTTP/JSON too, at the route its google.api.http
        // annotation names, through the same service classes and the same error interceptor: one
        // implementation, so request ids, validation and statuses cannot drift between the two.
        services.AddGrpc(o =>
        {
            o.Interceptors.Add<DomainErrorInterceptor>();
            o.MaxReceiveMessageSize = 4 * 1024 * 1024;
        }).AddJsonTranscoding(o =>
        {
            // An error's details are Any messages: the JSON writer prints them only for types it
            // knows (an unknown one turns the answer into a bare 500). These are the details
            // DomainErrorInterceptor sends.
            o.TypeRegistry = TypeRegistry.FromMessages(BadRequest.Descriptor, ResourceInfo.Descriptor, PreconditionFailure.Descriptor);
            // proto3 JSON writes int64 as strings (JavaScript numbers lose precision past 2^53);
            // the transcoder writes numbers unless told.
            o.JsonSettings.WriteInt64sAsStrings = true;
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
