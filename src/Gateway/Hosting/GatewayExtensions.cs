using Google.Protobuf.Reflection;
using Google.Rpc;
using HazardGrid.Gateway.Circulars;
using HazardGrid.Gateway.Console;
using HazardGrid.Gateway.Disclosure;
using HazardGrid.Gateway.Errors;
using HazardGrid.Gateway.Security;
using HazardGrid.Gateway.Services;
using HazardGrid.Regions;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HazardGrid.Gateway.Hosting;

/// <summary>Registers and maps the gRPC API (and its HTTP/JSON transcoding) and its health (gRPC health, <c>/healthz</c>, <c>/readyz</c>;
/// see <see cref="HealthExtensions"/>), with its credentials and limits (<see cref="SecurityExtensions"/>). Used by the standalone gateway and by the silo host when it
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
            o.Interceptors.Add<CallDeadlineInterceptor>();
            o.MaxReceiveMessageSize = 4 * 1024 * 1024;
        }).AddJsonTranscoding(o =>
        {
            // An error's details are Any messages: the JSON writer prints them only for types it
            // knows (an unknown one turns the answer into a bare 500). These are the details
            // DomainErrorInterceptor and the credential checks send.
            o.TypeRegistry = TypeRegistry.FromMessages(BadRequest.Descriptor, ResourceInfo.Descriptor, PreconditionFailure.Descriptor, ErrorInfo.Descriptor, RetryInfo.Descriptor);
            // proto3 JSON writes int64 as strings (JavaScript numbers lose precision past 2^53);
            // the transcoder writes numbers unless told.
            o.JsonSettings.WriteInt64sAsStrings = true;
        });
        services.AddGrpcReflection();
        services.AddHazardGridSecurity();
        services.AddHazardGridHealth();
        services.AddPublicDisclosure();
        services.TryAddSingleton(RegionCatalog.Shandong);
        services.AddOptions<CircularOptions>().BindConfiguration(CircularOptions.Section);
        services.AddSingleton<OpenWatches>();
        services.AddSingleton<CircularReader>();
        services.AddSingleton<ChromiumPrinter>();
        return services;
    }

    /// <summary>Maps the services behind the authentication, authorization and rate limiting
    /// middleware (added here, once per process: the silo's operations endpoints rely on them too).
    /// Only the API services require a credential; health, reflection, the probes and the public
    /// disclosure feed (<see cref="PublicDisclosure"/>, the one anonymous data surface) stay anonymous.</summary>
    public static WebApplication MapHazardGridGateway(this WebApplication endpoints)
    {
        endpoints.UseAuthentication();
        endpoints.UseAuthorization();
        endpoints.UseRateLimiter();
        endpoints.MapGrpcService<EnterpriseApi>().RequireCredential();
        endpoints.MapGrpcService<HazardApi>().RequireCredential();
        endpoints.MapGrpcService<RegionApi>().RequireCredential();
        endpoints.MapGrpcService<TipApi>().RequireCredential();
        endpoints.MapGrpcService<AccountApi>().RequireCredential();
        endpoints.MapConsoleSession();
        endpoints.MapConsoleFiles();
        endpoints.MapGrpcHealthChecksService();
        endpoints.MapGrpcReflectionService();
        endpoints.MapHazardGridProbes();
        endpoints.MapPublicDisclosure();
        return endpoints;
    }
}
