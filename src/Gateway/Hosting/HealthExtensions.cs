using HazardGrid.Api.V1;
using HazardGrid.Common;
using HazardGrid.Regions;
using HazardGrid.Rollups;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HazardGrid.Gateway.Hosting;

/// <summary>
/// Liveness and readiness, one definition for every process that serves the API (the standalone
/// gateway and the silo host): <c>/healthz</c> answers while the process runs; <c>/readyz</c> and
/// gRPC health (the overall service <c>""</c> and each API service) answer serving only while a
/// silo answers a grain call. A gateway cut off from the cluster is therefore taken out of the
/// load balancer, and a silo that cannot serve grains is not sent traffic.
/// </summary>
public static class HealthExtensions
{
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";

    private const string LiveTag = "live";
    private const string ReadyTag = "ready";

    /// <summary>The gRPC services whose health reflects readiness; <c>""</c> is the server as a whole.</summary>
    public static readonly IReadOnlyList<string> GrpcServices =
        ["", EnterpriseService.Descriptor.FullName, HazardService.Descriptor.FullName, RegionService.Descriptor.FullName];

    public static IServiceCollection AddHazardGridHealth(this IServiceCollection services)
    {
        services.AddGrpcHealthChecks(o =>
        {
            foreach (var service in GrpcServices)
            {
                o.Services.Map(service, c => c.Tags.Contains(ReadyTag));
            }
        })
            .AddCheck("process", () => HealthCheckResult.Healthy(), tags: [LiveTag])
            .AddCheck<ClusterReadinessCheck>("cluster", tags: [ReadyTag]);
        return services;
    }

    /// <summary>Maps <c>/healthz</c> and <c>/readyz</c> (503 while not ready). Probes are answered on
    /// any port; Kubernetes calls them on the HTTP/1.1 one.</summary>
    public static IEndpointRouteBuilder MapHazardGridProbes(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(LiveTag) });
        endpoints.MapHealthChecks(ReadinessPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) });
        return endpoints;
    }

    /// <summary>
    /// Ready when a silo answers a grain call: the province's status (kept in memory by its region
    /// grain) within <see cref="Timeout"/>. Not ready while the host is still starting — for a
    /// standalone gateway, until its Orleans client has reached a silo. In a silo the call stays in
    /// the process; in a standalone gateway it crosses the client's connection, so it fails fast once
    /// the silos it knew have gone, and succeeds again when one answers.
    /// </summary>
    public sealed class ClusterReadinessCheck(IGrainFactory grains, IHostApplicationLifetime lifetime) : IHealthCheck
    {
        /// <summary>Shorter than the probes' timeoutSeconds in deploy/k8s.</summary>
        public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (!lifetime.ApplicationStarted.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy("starting: not connected to the cluster yet");
            }

            try
            {
                await grains.Reference<IRollupGrain>(RegionCatalog.Shandong.Root.Code).GetStatus().WaitAsync(Timeout, cancellationToken);
                return HealthCheckResult.Healthy("a silo answers grain calls");
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The reason without its stack trace: probes ask every few seconds while a gateway is cut off.
                return HealthCheckResult.Unhealthy($"no silo answers grain calls ({ex.GetType().Name}: {ex.Message})");
            }
        }
    }
}
