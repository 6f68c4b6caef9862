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

    /// <summary>
    /// Orleans holds a watch's observer only weakly; the gateway holds it while the call lasts
    /// (OpenWatches): a collected observer would stop receiving silently and show changes only at
    /// the watch's renewal, 30 s later. Seen as <c>hazardgrid_gateway_watches</c> on /metrics.
    /// </summary>
    [Fact]
    public async Task The_gateway_holds_each_open_watch_until_its_caller_hangs_up()
    {
        var town = TestData.TownsOf("370406", 1)[0];
        var httpPort = SiloProcess.FreePort();
        await using var silo = await SiloProcess.StartAsync(_data, $"--HazardGrid:Endpoints:HttpPort={httpPort}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        var (channel, invoker) = silo.Connect("watch-test");
        using var _ = channel;
        var regions = new RegionService.RegionServiceClient(invoker);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Assert.Equal(0, await OpenWatches(http));

        var watches = new[] { "regions/37", "regions/3704", "regions/370406" }
            .Select(name => regions.WatchRegionStatus(new WatchRegionStatusRequest { Name = name }, cancellationToken: cancel.Token))
            .ToList();
        foreach (var watch in watches)
        {
            Assert.True(await watch.ResponseStream.MoveNext(cancel.Token));
        }

        await OpenWatchesBecome(3, http, cancel.Token); // the exporter caches a scrape for a moment

        // Two callers hang up: the gateway lets their observers go (the server sees the
        // cancellation a moment later).
        watches[1].Dispose();
        watches[2].Dispose();
        await OpenWatchesBecome(1, http, cancel.Token);

        // The one still open is still pushed changes.
        var enterprise = TestData.NewEnterprise(town);
        await new EnterpriseService.EnterpriseServiceClient(invoker).RegisterEnterpriseAsync(new RegisterEnterpriseRequest { Enterprise = enterprise, RequestId = "e-1" });
        await new HazardService.HazardServiceClient(invoker).ReportHazardAsync(new ReportHazardRequest
        {
            Parent = $"enterprises/{enterprise.CreditCode}",
            Hazard = ApiDriver.Finding(ReportChannel.Inspection, Sector.Chemicals, "HG-WATCH", "罐区", DateTimeOffset.UtcNow.AddDays(-1)),
            RequestId = "r-1",
        });
        using var pushed = new CancellationTokenSource(TimeSpan.FromSeconds(10)); // far less than the 30 s renewal
        do
        {
            Assert.True(await watches[0].ResponseStream.MoveNext(pushed.Token));
        }
        while (watches[0].ResponseStream.Current.Figures.Registered == 0);

        watches[0].Dispose();
        await OpenWatchesBecome(0, http, cancel.Token);
    }

    private static async Task OpenWatchesBecome(int count, HttpClient http, CancellationToken cancel)
    {
        while (await OpenWatches(http) != count)
        {
            await Task.Delay(50, cancel);
        }
    }

    private static async Task<int> OpenWatches(HttpClient http)
    {
        // The gauge appears with the gateway's first watch.
        var line = (await http.GetStringAsync("/metrics")).Split('\n').SingleOrDefault(l => l.StartsWith("hazardgrid_gateway_watches", StringComparison.Ordinal));
        return line is null ? 0 : int.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
