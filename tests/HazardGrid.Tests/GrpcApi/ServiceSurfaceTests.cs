using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.GrpcApi;

/// <summary>What operators and generic gRPC tools rely on: health checks and reflection.</summary>
[Collection(SharedCluster.Name)]
public sealed class ServiceSurfaceTests(ClusterFixture fixture)
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

    [Fact]
    public async Task A_supervisor_watching_a_region_sees_it_change()
    {
        var api = new ApiDriver(fixture);
        var town = TestData.TownsOf("370481", 3)[2];
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var watch = fixture.Regions.WatchRegionStatus(new Api.V1.WatchRegionStatusRequest { Name = "regions/370481" }, cancellationToken: cancel.Token);

        Assert.True(await watch.ResponseStream.MoveNext(cancel.Token));
        var before = watch.ResponseStream.Current.Figures.Registered;

        var enterprise = await api.Register(TestData.NewEnterprise(town));
        await api.Report(enterprise.CreditCode, ApiDriver.Finding(Api.V1.ReportChannel.Inspection, Api.V1.Sector.Chemicals, "HG-W", "watch", fixture.Now.AddDays(-1)));

        // The stream may first bring changes of other figures (the cluster is shared); the first
        // change of the registered count must be this hazard.
        do
        {
            Assert.True(await watch.ResponseStream.MoveNext(cancel.Token));
        }
        while (watch.ResponseStream.Current.Figures.Registered == before);
        Assert.Equal(before + 1, watch.ResponseStream.Current.Figures.Registered);
        cancel.Cancel();
    }

    [Fact]
    public async Task Watching_a_region_that_does_not_exist_is_not_found()
    {
        using var watch = fixture.Regions.WatchRegionStatus(new Api.V1.WatchRegionStatusRequest { Name = "regions/3799" });
        var (code, field, _) = await ApiDriver.Refusal(() => watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal((Grpc.Core.StatusCode.NotFound, "name"), (code, field));
    }
}
