using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.GrpcApi;

/// <summary>What operators and generic gRPC tools rely on: health checks and reflection.</summary>
public sealed class ServiceSurfaceTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task The_gateway_reports_serving_to_grpc_health_checks()
    {
        var health = new Health.HealthClient(fixture.Channel);
        var reply = await health.CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Reflection_lists_the_three_hazardgrid_services()
    {
        var reflection = new ServerReflection.ServerReflectionClient(fixture.Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("hazardgrid.v1.EnterpriseService", services);
        Assert.Contains("hazardgrid.v1.HazardService", services);
        Assert.Contains("hazardgrid.v1.RegionService", services);
    }
}
