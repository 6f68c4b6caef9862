using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Embedded;

/// <summary>The production shape: the gateway as its own process, reaching the silo through an Orleans client.</summary>
public sealed class StandaloneGatewayTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "hazardgrid-gateway-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task A_separate_gateway_process_serves_writes_and_reads_of_the_silo()
    {
        await using var silo = await SiloProcess.StartAsync(_data);
        await using var gateway = await SiloProcess.StartGatewayAsync(silo.OrleansGatewayPort);

        var (channel, invoker) = gateway.Connect("standalone-test");
        using var _ = channel;
        var town = TestData.TownsOf("370406", 1)[0];
        var enterprise = await new EnterpriseService.EnterpriseServiceClient(invoker).RegisterEnterpriseAsync(
            new RegisterEnterpriseRequest { Enterprise = TestData.NewEnterprise(town), RequestId = "r-1" });
        var hazards = new HazardService.HazardServiceClient(invoker);
        var reported = await hazards.ReportHazardAsync(new ReportHazardRequest
        {
            Parent = enterprise.Name,
            Hazard = ApiDriver.Finding(ReportChannel.Inspection, Sector.Chemicals, "HG-1", "罐区", DateTimeOffset.UtcNow.AddDays(-1)),
            RequestId = "r-2",
        });

        // The silo's own co-hosted gateway sees the same record.
        var (direct, directInvoker) = silo.Connect("standalone-test");
        using var __ = direct;
        var seen = await new HazardService.HazardServiceClient(directInvoker).GetHazardAsync(new GetHazardRequest { Name = reported.Hazard.Name });
        Assert.Equal("standalone-test", seen.Trail.Single().Actor);
        var status = await new RegionService.RegionServiceClient(invoker).GetRegionStatusAsync(new GetRegionStatusRequest { Name = $"regions/{town}" });
        Assert.Equal(1, status.Figures.Registered);
    }
}
