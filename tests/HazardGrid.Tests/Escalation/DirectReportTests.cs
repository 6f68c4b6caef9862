using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Escalation;

/// <summary>直报: new major hazards and fatal accidents reach the province directly.</summary>
[Collection(SharedCluster.Name)]
public sealed class DirectReportTests(ClusterFixture fixture)
{
    private readonly ApiDriver _api = new(fixture);

    [Fact]
    public async Task A_new_major_hazard_is_in_the_provinces_direct_report_feed_at_once()
    {
        var enterprise = await _api.Register(TestData.NewEnterprise(TestData.TownsOf("3701" + "02", 1)[0]));
        var hazard = (await _api.Report(enterprise.CreditCode, ApiDriver.Finding(ReportChannel.VerifiedTip, Sector.Chemicals, "HG-DR", "仓库", fixture.Now.AddHours(-3)))).Hazard;

        var province = await WaitForProvince(p => p.DirectReports.Any(r => r.Id == hazard.Name), TimeSpan.FromSeconds(2));
        var report = province.DirectReports.First(r => r.Id == hazard.Name);
        Assert.Equal((DirectReportKind.NewMajorHazard, enterprise.Name, hazard.Town), (report.Kind, report.Enterprise, report.Town));
    }

    [Fact]
    public async Task A_fatal_accident_reaches_the_province_within_seconds_and_marks_the_enterprise_and_its_regions()
    {
        var town = TestData.TownsOf("370481", 1)[0];
        var enterprise = await _api.Register(TestData.NewEnterprise(town, Sector.NonCoalMining));
        var request = new ReportFatalAccidentRequest
        {
            Parent = enterprise.Name,
            Accident = new NewFatalAccident { OccurredTime = Timestamp.FromDateTimeOffset(fixture.Now.AddMinutes(-20)), Deaths = 2, Description = "井下冒顶事故" },
            RequestId = TestData.NewRequestId(),
        };

        var clock = Stopwatch.StartNew();
        var accident = await fixture.Enterprises.ReportFatalAccidentAsync(request);
        var province = await WaitForProvince(p => p.DirectReports.Any(r => r.Id == accident.Id) && p.Figures.FatalAccidentsThisYear >= 1, TimeSpan.FromSeconds(5));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Equal((DirectReportKind.FatalAccident, 2), (province.DirectReports.First(r => r.Id == accident.Id).Kind, province.DirectReports.First(r => r.Id == accident.Id).Deaths));

        foreach (var code in new[] { town, "370481", "3704" })
        {
            var status = await _api.Region(code);
            Assert.Equal((1, 2), (status.Figures.FatalAccidentsThisYear, status.Figures.DeathsThisYear));
        }

        var marked = await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = enterprise.Name });
        Assert.Equal(accident, marked.FatalAccidents.Single());
        Assert.Equal(1, marked.Figures.WatchListEnterprises);
        var watch = await fixture.Regions.ListWatchListAsync(new ListWatchListRequest { Parent = "regions/370481" });
        Assert.Equal(1, watch.Entries.Single(e => e.Enterprise == enterprise.Name).FatalAccidentsThisYear);

        // A retry is the same accident, counted once. No waiting needed: the retry is answered only
        // after the town has taken the accident again and recounted, so whatever the retry did to
        // the town is in its figures when the answer arrives.
        Assert.Equal(accident, await fixture.Enterprises.ReportFatalAccidentAsync(request));
        Assert.Equal(1, (await _api.Region(town)).Figures.FatalAccidentsThisYear);
    }

    [Fact]
    public async Task An_accident_without_deaths_is_not_a_fatal_accident()
    {
        var enterprise = await _api.Register(TestData.NewEnterprise(TestData.TownsOf("370481", 2)[1]));
        var (code, field, _) = await ApiDriver.Refusal(() => fixture.Enterprises.ReportFatalAccidentAsync(new ReportFatalAccidentRequest
        {
            Parent = enterprise.Name,
            Accident = new NewFatalAccident { OccurredTime = Timestamp.FromDateTimeOffset(fixture.Now), Deaths = 0, Description = "无" },
            RequestId = TestData.NewRequestId(),
        }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "accident.deaths"), (code, field));
        Assert.Empty((await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = enterprise.Name })).FatalAccidents);
    }

    private async Task<Api.V1.RegionStatus> WaitForProvince(Func<Api.V1.RegionStatus, bool> condition, TimeSpan within) =>
        await Eventually.Until(() => _api.Region("37"), condition, "the province to show it", within);
}
