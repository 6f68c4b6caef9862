using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Gateway.Services;
using HazardGrid.Rollups;
using HazardGrid.Sectors;
using HazardGrid.Tests.Infrastructure;
using HazardGrid.Tests.JsonApi;
using Xunit;
using static HazardGrid.Tests.Infrastructure.Figures;
using HazardFigures = HazardGrid.Api.V1.HazardFigures;
using Sector = HazardGrid.Api.V1.Sector;

namespace HazardGrid.Tests.Security;

/// <summary>
/// A sector office (管行业必须管安全: each sector's regulator keeps its own ledger) sees its sectors
/// only. One county of its own cluster holds hazards in three sectors: an emergency-management
/// credential (chemicals, mines, industry and trade, …) and a transport one must see figures,
/// lists, rankings, hazards, statistics, circulars and feeds of their sectors and nothing that
/// includes another's; their figures equal a recount of the towns' ledgers over their sectors.
/// </summary>
public sealed class SectorOfficeTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    // Shanting county (Zaozhuang): every hazard of this cluster is here, so its figures are exact.
    private const string County = "370406";
    private const string City = "3704";
    private const string EmergencyManagement = "emergency-management";

    private static readonly SemaphoreSlim s_building = new(1, 1);
    private static readonly Dictionary<ClusterFixture, Scenario> s_scenarios = [];

    private readonly ApiDriver _api = new(fixture);

    /// <summary>A (chemicals): one registered, one overdue. B (transport): four overdue — on the
    /// watch list — and a fatal accident. C (chemicals and construction): one registered hazard in each.</summary>
    private sealed record Scenario(
        Api.V1.Enterprise A, Api.V1.Enterprise B, Api.V1.Enterprise C,
        IReadOnlyList<string> AHazards, IReadOnlyList<string> BHazards, string CConstruction, string CChemicals);

    private Clients Emergency => new(fixture.As(TestTokens.Mint("supervisor", TestTokens.Province, "province-emergency-management", office: EmergencyManagement)));

    private Clients Transport => new(fixture.As(TestTokens.Mint("supervisor", City, "zaozhuang-transport", office: "transport")));

    private sealed class Clients(CallInvoker invoker)
    {
        public RegionService.RegionServiceClient Regions { get; } = new(invoker);

        public HazardService.HazardServiceClient Hazards { get; } = new(invoker);

        public EnterpriseService.EnterpriseServiceClient Enterprises { get; } = new(invoker);
    }

    private async Task<Scenario> Given()
    {
        await s_building.WaitAsync();
        try
        {
            if (s_scenarios.TryGetValue(fixture, out var built))
            {
                return built;
            }

            var towns = TestData.TownsOf(County, 2);
            var a = await _api.Register(TestData.NewEnterprise(towns[0], Sector.Chemicals));
            var b = await _api.Register(TestData.NewEnterprise(towns[1], Sector.Transport));
            var c = await _api.Register(TestData.NewEnterprise(towns[0], Sector.Chemicals, Sector.Construction));
            var found = fixture.Now.AddDays(-1);
            var deadline = fixture.Now.AddHours(1);
            var a1 = (await _api.Report(a.CreditCode, ApiDriver.Finding(ReportChannel.SelfReport, Sector.Chemicals, "第三条", "罐区", found))).Hazard.Name;
            var a2 = (await _api.Report(a.CreditCode, ApiDriver.Finding(ReportChannel.Inspection, Sector.Chemicals, "第五条", "装置区", found))).Hazard.Name;
            await _api.Start(a2, deadline);
            var bHazards = new List<string>();
            for (var i = 0; i < 4; i++)
            {
                var name = (await _api.Report(b.CreditCode, ApiDriver.Finding(ReportChannel.SelfReport, Sector.Transport, $"第{i + 1}条", $"车队{i}", found))).Hazard.Name;
                await _api.Start(name, deadline);
                bHazards.Add(name);
            }

            var c1 = (await _api.Report(c.CreditCode, ApiDriver.Finding(ReportChannel.SelfReport, Sector.Construction, "第七条", "脚手架", found))).Hazard.Name;
            var c2 = (await _api.Report(c.CreditCode, ApiDriver.Finding(ReportChannel.SelfReport, Sector.Chemicals, "第八条", "仓库", found))).Hazard.Name;
            await fixture.Enterprises.ReportFatalAccidentAsync(new ReportFatalAccidentRequest
            {
                Parent = b.Name,
                Accident = new NewFatalAccident { OccurredTime = Timestamp.FromDateTimeOffset(fixture.Now.AddMinutes(-30)), Deaths = 2, Description = "运输车辆侧翻" },
                RequestId = TestData.NewRequestId(),
            });

            // The deadlines pass: five hazards overdue, a warning letter on each.
            fixture.Advance(TimeSpan.FromHours(2));
            await _api.ExpectFigures("37", WithAccident(Of(
                registered: 3, rectifying: 5, overdue: 5, openIncrement: 8,
                sectors: [In(Sector.Chemicals, open: 3, overdue: 1), In(Sector.Transport, open: 4, overdue: 4), In(Sector.Construction, open: 1)],
                letters: 5, watchList: 1), 1, 2));

            built = new Scenario(a, b, c, [a1, a2], bHazards, c1, c2);
            s_scenarios[fixture] = built;
            return built;
        }
        finally
        {
            s_building.Release();
        }
    }

    private static HazardFigures WithAccident(HazardFigures figures, int accidents, int deaths)
    {
        figures.FatalAccidentsThisYear = accidents;
        figures.DeathsThisYear = deaths;
        return figures;
    }

    /// <summary>What the towns' ledgers hold for <paramref name="scope"/>'s sectors, counted afresh (no accident is in the chemicals' scope).</summary>
    private async Task<HazardFigures> Recount(SectorScope scope)
    {
        var facts = new List<HazardFacts>();
        foreach (var town in TestData.Regions.ChildrenOf(County))
        {
            facts.AddRange(await fixture.Cluster.Client.GetGrain<ITownGrain>(town).GetStoredHazardFacts());
        }

        return ApiMapper.ToApi(Rollups.HazardFigures.Count(facts.Where(f => scope.Includes(f.Sector)), fixture.Now));
    }

    private static async Task Denied(Func<Task> call, string field, string because)
    {
        var (code, refusedField, message) = await ApiDriver.Refusal(call);
        Assert.True(code == StatusCode.PermissionDenied, $"{code}: {message}");
        Assert.Equal(field, refusedField);
        Assert.Contains(because, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_office_sees_figures_rankings_reports_and_pushed_statuses_of_its_sectors_only()
    {
        var given = await Given();
        var emergency = Emergency;
        var chemicals = Of(registered: 2, rectifying: 1, overdue: 1, openIncrement: 3, sectors: [In(Sector.Chemicals, open: 3, overdue: 1)], letters: 1);

        // The county, its city and the province: the chemicals' share alone, equal to a recount of the ledgers.
        var recount = await Recount(SectorOffices.Default.Find(EmergencyManagement)!);
        Assert.Equal(chemicals, recount);
        foreach (var region in new[] { County, City, "37" })
        {
            var status = await Eventually.Until(
                async () => await emergency.Regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = $"regions/{region}" }),
                s => s.Figures.Equals(chemicals), $"region {region} to show the chemicals' figures to emergency management");
            Assert.True(status.LeadershipSummons, "a third of the chemicals' open hazards is overdue");
            Assert.Equal(1.0 / 3, status.OverdueShare, 6);
        }

        // Transport: B's four overdue hazards, its watch-list place and its fatal accident.
        var transport = await Transport.Regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = $"regions/{County}" });
        Assert.Equal(WithAccident(Of(rectifying: 4, overdue: 4, openIncrement: 4, sectors: [In(Sector.Transport, open: 4, overdue: 4)], letters: 4, watchList: 1), 1, 2), transport.Figures);

        // The province's direct reports: the three chemicals hazards, not transport's, construction's or the accident.
        var province = await emergency.Regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" });
        Assert.Equal(3, province.DirectReports.Count);
        Assert.All(province.DirectReports, r => Assert.StartsWith("Chemicals:", r.Summary, StringComparison.Ordinal));
        Assert.Equal(9, (await _api.Region("37")).DirectReports.Count); // eight hazards and the accident

        // The ranking ranks the city's counties by the chemicals' figures.
        var ranking = await emergency.Regions.ListRegionRankingAsync(new ListRegionRankingRequest { Parent = $"regions/{City}", Key = RankingKey.Open });
        var shanting = ranking.Entries.Single(e => e.Name == $"regions/{County}");
        Assert.Equal((3, 1, 3.0), (shanting.Open, shanting.Overdue, shanting.Value));
        Assert.Equal(8, (await fixture.Regions.ListRegionRankingAsync(new ListRegionRankingRequest { Parent = $"regions/{City}", Key = RankingKey.Open })).Entries.Single(e => e.Name == $"regions/{County}").Open);

        // HTTP/JSON answers the same figures.
        using (var json = new JsonApiClient(fixture.JsonAddress, TestTokens.Mint("supervisor", TestTokens.Province, "json-emergency", office: EmergencyManagement)))
        {
            var answer = await json.Get($"/v1/regions/{County}/status");
            Assert.Equal(chemicals, answer.As<Api.V1.RegionStatus>().Figures);
        }

        // A watch is pushed the chemicals' figures: a transport hazard reported first changes nothing it
        // is shown, the chemicals hazard after it does.
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var watch = emergency.Regions.WatchRegionStatus(new WatchRegionStatusRequest { Name = $"regions/{County}" }, cancellationToken: cancel.Token);
        Assert.True(await watch.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal(chemicals, watch.ResponseStream.Current.Figures);
        await _api.Report(given.B.CreditCode, ApiDriver.Finding(ReportChannel.SelfReport, Sector.Transport, "第九条", "停车场", fixture.Now.AddDays(-1)));
        await _api.Report(given.A.CreditCode, ApiDriver.Finding(ReportChannel.SelfReport, Sector.Chemicals, "第十条", "泵房", fixture.Now.AddDays(-1)));
        Assert.True(await watch.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal(Of(registered: 3, rectifying: 1, overdue: 1, openIncrement: 4, sectors: [In(Sector.Chemicals, open: 4, overdue: 1)], letters: 1), watch.ResponseStream.Current.Figures);
        Assert.Equal(await Recount(SectorOffices.Default.Find(EmergencyManagement)!), watch.ResponseStream.Current.Figures);
    }

    [Fact]
    public async Task An_office_lists_and_reads_hazards_enterprises_notifications_and_feeds_of_its_sectors_only()
    {
        var given = await Given();
        var emergency = Emergency;

        // Hazard lists hold the chemicals hazards only, and count only them.
        var listed = await emergency.Hazards.ListHazardsAsync(new ListHazardsRequest { Parent = $"regions/{County}", PageSize = 100 });
        Assert.All(listed.Hazards, h => Assert.Equal(Sector.Chemicals, h.Sector));
        Assert.Subset(listed.Hazards.Select(h => h.Name).ToHashSet(), new HashSet<string>([.. given.AHazards, given.CChemicals]));
        Assert.DoesNotContain(listed.Hazards, h => given.BHazards.Contains(h.Name) || h.Name == given.CConstruction);
        Assert.Equal(listed.Hazards.Count, listed.TotalSize);
        var asked = new ListHazardsRequest { Parent = $"regions/{County}", PageSize = 100, Filter = new Api.V1.HazardFilter { Sectors = { Sector.Transport, Sector.Chemicals } } };
        Assert.All((await emergency.Hazards.ListHazardsAsync(asked)).Hazards, h => Assert.Equal(Sector.Chemicals, h.Sector));
        await Denied(() => emergency.Hazards.ListHazardsAsync(new ListHazardsRequest { Parent = $"regions/{County}", Filter = new Api.V1.HazardFilter { Sectors = { Sector.Transport } } }).ResponseAsync,
            "filter.sectors", "outside office emergency-management's");
        var ofC = await emergency.Hazards.ListHazardsAsync(new ListHazardsRequest { Parent = given.C.Name });
        Assert.Equal([given.CChemicals], ofC.Hazards.Select(h => h.Name));
        await Denied(() => emergency.Hazards.ListHazardsAsync(new ListHazardsRequest { Parent = given.B.Name }).ResponseAsync, "parent", "not in the sectors of office emergency-management");

        // A hazard, with its ladder: its own sectors' only.
        Assert.Equal(EscalationStep.WarningLetter, (await emergency.Hazards.GetHazardAsync(new GetHazardRequest { Name = given.AHazards[1] })).Escalations.Single().Step);
        await Denied(() => emergency.Hazards.GetHazardAsync(new GetHazardRequest { Name = given.BHazards[0] }).ResponseAsync, "name", "not in the sectors of office emergency-management");
        await Denied(() => emergency.Hazards.GetHazardAsync(new GetHazardRequest { Name = given.CConstruction }).ResponseAsync, "name", "not in the sectors");

        // Enterprises: A and C, not B; C's figures and open hazards count its chemicals hazard only.
        var c = await emergency.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = given.C.Name });
        Assert.Equal(Of(registered: 1, openIncrement: 1, sectors: [In(Sector.Chemicals, open: 1)]), c.Figures);
        Assert.Equal(2, (await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = given.C.Name })).Figures.Open);
        await Denied(() => emergency.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = given.B.Name }).ResponseAsync, "name", "not in the sectors");
        var enterprises = (await emergency.Enterprises.ListEnterprisesAsync(new ListEnterprisesRequest { Parent = $"regions/{County}", PageSize = 100 })).Enterprises;
        Assert.Equal([given.A.Name, given.C.Name], enterprises.Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal(1, enterprises.Single(e => e.Name == given.C.Name).OpenHazards);
        Assert.Equal(2, (await fixture.Enterprises.ListEnterprisesAsync(new ListEnterprisesRequest { Parent = $"regions/{County}", PageSize = 100 })).Enterprises.Single(e => e.Name == given.C.Name).OpenHazards);
        await Denied(() => emergency.Enterprises.ListEnterprisesAsync(new ListEnterprisesRequest { Parent = $"regions/{County}", Sectors = { Sector.Transport } }).ResponseAsync,
            "sectors", "outside office emergency-management's");

        // Notifications of C: those of its chemicals hazard only.
        var notes = (await emergency.Enterprises.ListNotificationsAsync(new ListNotificationsRequest { Parent = given.C.Name })).Notifications;
        Assert.NotEmpty(notes);
        Assert.All(notes, n => Assert.Equal(given.CChemicals, n.Hazard));
        Assert.Contains((await fixture.Enterprises.ListNotificationsAsync(new ListNotificationsRequest { Parent = given.C.Name })).Notifications, n => n.Hazard == given.CConstruction);

        // The watch list and the ladder's events: B's overdue transport hazards are none of its business.
        Assert.Empty((await emergency.Regions.ListWatchListAsync(new ListWatchListRequest { Parent = $"regions/{County}" })).Entries);
        Assert.Equal([given.B.Name], (await Transport.Regions.ListWatchListAsync(new ListWatchListRequest { Parent = $"regions/{County}" })).Entries.Select(e => e.Enterprise));
        var events = (await emergency.Regions.ListEscalationEventsAsync(new ListEscalationEventsRequest { Parent = $"regions/{County}" })).Events;
        Assert.Equal([given.AHazards[1]], events.Select(e => e.Hazard));
        Assert.Equal(5, (await fixture.Regions.ListEscalationEventsAsync(new ListEscalationEventsRequest { Parent = $"regions/{County}" })).Events.Count);
    }

    [Fact]
    public async Task An_office_gets_statistics_campaign_progress_and_the_circular_of_its_sectors_only()
    {
        var given = await Given();
        var emergency = Emergency;
        var period = new Api.V1.StatisticsPeriod { Year = fixture.Now.Year };

        // The office's statistics are the chemicals' share of the whole, to the last figure.
        var mine = await emergency.Regions.GetRegionStatisticsAsync(new GetRegionStatisticsRequest { Name = $"regions/{County}", Period = period });
        var all = await fixture.Regions.GetRegionStatisticsAsync(new GetRegionStatisticsRequest { Name = $"regions/{County}", Period = period });
        Assert.Equal([Sector.Chemicals], mine.BySector.Select(s => s.Sector));
        Assert.Equal(all.BySector.Single(s => s.Sector == Sector.Chemicals).Figures, mine.Figures);
        Assert.True(all.Figures.Found > mine.Figures.Found);

        // Campaign progress: the chemicals' overdue hazard only.
        var campaign = await emergency.Regions.GetCampaignProgressAsync(new GetCampaignProgressRequest { Name = $"regions/{City}", IncludeChildren = true });
        Assert.Equal(1, campaign.DynamicZero.Overdue);
        Assert.Equal(5, (await fixture.Regions.GetCampaignProgressAsync(new GetCampaignProgressRequest { Name = $"regions/{City}" })).DynamicZero.Overdue);

        // The circular: the chemicals' figures, overdue hazards and no transport accident.
        var month = $"{fixture.Now:yyyy-MM}";
        var circular = await emergency.Regions.GetMonthlyCircularAsync(new GetMonthlyCircularRequest { Name = $"regions/{County}", Month = month });
        Assert.Equal([given.AHazards[1]], circular.OverdueHazards.Select(h => h.Name));
        Assert.Empty(circular.FatalAccidents);
        Assert.Equal(0, circular.Deaths);
        Assert.Equal([Sector.Chemicals, Sector.CoalMining, Sector.NonCoalMining, Sector.IndustryTrade, Sector.Fireworks, Sector.DustExplosion, Sector.AmmoniaRefrigeration], circular.Sectors);
        using (var json = new JsonApiClient(fixture.JsonAddress, TestTokens.Mint("supervisor", TestTokens.Province, "json-emergency", office: EmergencyManagement)))
        {
            var csv = await json.Get($"/v1/regions/{County}/circulars/{month}:export?format=csv");
            Assert.Contains("重大事故隐患排查整治情况通报（化工、煤矿、非煤矿山、工贸、烟花爆竹、粉尘涉爆、涉氨制冷）", csv.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("运输车辆侧翻", csv.Text, StringComparison.Ordinal);
        }

        var whole = await fixture.Regions.GetMonthlyCircularAsync(new GetMonthlyCircularRequest { Name = $"regions/{County}", Month = month });
        Assert.Equal(5, whole.OverdueHazards.Count);
        Assert.Single(whole.FatalAccidents);
        Assert.Equal(whole.Statistics.BySector.Single(s => s.Sector == Sector.Chemicals).Figures.Found, circular.Statistics.Figures.Found);
    }
}
