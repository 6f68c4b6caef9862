using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Embedded;

/// <summary>
/// Watches in the one-command service, where the gateway shares the silo's process: the regions
/// push their changes to the watching call (an Orleans observer created inside the silo).
/// </summary>
public sealed class EmbeddedWatchTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "hazardgrid-watch-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task A_report_reaches_watchers_of_its_town_county_and_the_province()
    {
        var town = TestData.TownsOf("370406", 1)[0];
        await using var silo = await SiloProcess.StartAsync(_data);
        var (channel, invoker) = silo.Connect("watch-test");
        using var _ = channel;
        var regions = new RegionService.RegionServiceClient(invoker);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var watches = new[] { $"regions/{town}", "regions/370406", "regions/37" }
            .Select(name => regions.WatchRegionStatus(new WatchRegionStatusRequest { Name = name }, cancellationToken: cancel.Token))
            .ToList();
        foreach (var watch in watches)
        {
            Assert.True(await watch.ResponseStream.MoveNext(cancel.Token));
            Assert.Equal(0, watch.ResponseStream.Current.Figures.Registered);
        }

        var enterprise = TestData.NewEnterprise(town);
        await new EnterpriseService.EnterpriseServiceClient(invoker).RegisterEnterpriseAsync(new RegisterEnterpriseRequest { Enterprise = enterprise, RequestId = "e-1" });
        await new HazardService.HazardServiceClient(invoker).ReportHazardAsync(new ReportHazardRequest
        {
            Parent = $"enterprises/{enterprise.CreditCode}",
            Hazard = ApiDriver.Finding(ReportChannel.Inspection, Sector.Chemicals, "HG-WATCH", "罐区", DateTimeOffset.UtcNow.AddDays(-1)),
            RequestId = "r-1",
        });

        // Each watch is pushed the change (the province may first be pushed the direct report
        // that reaches it ahead of the figures); a status is sent only when it differs.
        foreach (var watch in watches)
        {
            do
            {
                Assert.True(await watch.ResponseStream.MoveNext(cancel.Token));
            }
            while (watch.ResponseStream.Current.Figures.Registered == 0 && watch.ResponseStream.Current.DirectReports.Count > 0);

            Assert.Equal(1, watch.ResponseStream.Current.Figures.Registered);
            watch.Dispose();
        }
    }
}
