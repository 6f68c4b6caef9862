using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Security;

/// <summary>
/// What a credential may do where: systems write and read in their region, supervisors read theirs
/// and decide on hazards at or below their level, operators read nothing. Outside the scope is
/// PERMISSION_DENIED whether or not the target exists, and nothing changes.
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class ScopeTests(ClusterFixture fixture)
{
    // Zaozhuang (3704): Shanting (370406) and another county of the city; Jinan (3701) elsewhere.
    private const string County = "370406";
    private static readonly string s_otherCounty = TestData.Regions.ChildrenOf("3704").First(c => c != County);
    private static readonly string s_otherCity = "3701";

    private readonly ApiDriver _api = new(fixture);

    private (EnterpriseService.EnterpriseServiceClient Enterprises, HazardService.HazardServiceClient Hazards, RegionService.RegionServiceClient Regions) As(
        string role, string region, string? subject = null)
    {
        var invoker = fixture.As(TestTokens.Mint(role, region, subject));
        return (new(invoker), new(invoker), new(invoker));
    }

    private static async Task Denied(Func<Task> call, string? field = null)
    {
        var (code, refusedField, message) = await ApiDriver.Refusal(call);
        Assert.True(code == StatusCode.PermissionDenied, $"{code}: {message}");
        if (field is not null)
        {
            Assert.Equal(field, refusedField);
        }
    }

    private async Task<(Api.V1.Enterprise Enterprise, Hazard Hazard)> EnterpriseWithHazard(string county)
    {
        var enterprise = await _api.Register(TestData.NewEnterprise(TestData.TownsOf(county, 1)[0]));
        var hazard = (await _api.Report(enterprise.CreditCode, ApiDriver.Finding(ReportChannel.SelfReport, Sector.Chemicals, "第三条", "罐区", fixture.Now.AddDays(-1)))).Hazard;
        return (enterprise, hazard);
    }

    [Fact]
    public async Task A_county_system_writes_and_reads_only_in_its_county_and_nothing_changes_elsewhere()
    {
        var mine = await EnterpriseWithHazard(County);
        var theirs = await EnterpriseWithHazard(s_otherCounty);
        var county = As("system", County, "shanting-county-system");

        // In scope: its own enterprise and hazard.
        await county.Hazards.StartRectificationAsync(new StartRectificationRequest { Name = mine.Hazard.Name, Deadline = Timestamp.FromDateTimeOffset(fixture.Now.AddDays(30)), Plan = "更换设备", RequestId = TestData.NewRequestId() });
        Assert.Equal(mine.Enterprise.Name, (await county.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = mine.Enterprise.Name })).Name);
        await county.Regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = $"regions/{County}" });

        // Out of scope: report, update, register, register a new one there, read.
        await Denied(() => county.Hazards.ReportHazardAsync(new ReportHazardRequest
        {
            Parent = theirs.Enterprise.Name, RequestId = TestData.NewRequestId(),
            Hazard = ApiDriver.Finding(ReportChannel.SelfReport, Sector.Chemicals, "第九条", "仓库", fixture.Now.AddDays(-1)),
        }).ResponseAsync, "parent");
        await Denied(() => county.Hazards.RecordProgressAsync(new RecordProgressRequest { Name = theirs.Hazard.Name, ProgressPercent = 50, Note = "越权", RequestId = TestData.NewRequestId() }).ResponseAsync, "name");
        var batch = new BatchUpdateHazardsRequest();
        batch.Updates.Add(new Api.V1.HazardUpdate { RecordProgress = new RecordProgressRequest { Name = theirs.Hazard.Name, ProgressPercent = 60, Note = "越权", RequestId = TestData.NewRequestId() } });
        await Denied(() => county.Hazards.BatchUpdateHazardsAsync(batch).ResponseAsync, "updates[0].record_progress");
        var renamed = theirs.Enterprise.Clone();
        renamed.DisplayName = "改名企业";
        await Denied(() => county.Enterprises.RegisterEnterpriseAsync(new RegisterEnterpriseRequest { Enterprise = renamed, RequestId = TestData.NewRequestId() }).ResponseAsync, "enterprise.town");
        await Denied(() => county.Enterprises.RegisterEnterpriseAsync(new RegisterEnterpriseRequest { Enterprise = TestData.NewEnterprise(TestData.TownsOf(s_otherCounty, 1)[0]), RequestId = TestData.NewRequestId() }).ResponseAsync, "enterprise.town");
        await Denied(() => county.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = theirs.Enterprise.Name }).ResponseAsync, "name");
        await Denied(() => county.Hazards.GetHazardAsync(new GetHazardRequest { Name = theirs.Hazard.Name }).ResponseAsync, "name");
        await Denied(() => county.Enterprises.ListNotificationsAsync(new ListNotificationsRequest { Parent = theirs.Enterprise.Name }).ResponseAsync, "parent");
        await Denied(() => county.Regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = $"regions/{s_otherCity}" }).ResponseAsync, "name");
        await Denied(() => county.Regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/3704" }).ResponseAsync, "name");
        await Denied(() => county.Regions.ListWatchListAsync(new ListWatchListRequest { Parent = $"regions/{s_otherCity}" }).ResponseAsync, "parent");
        await Denied(() => county.Regions.ListEscalationEventsAsync(new ListEscalationEventsRequest { Parent = $"regions/{s_otherCity}" }).ResponseAsync, "parent");
        // The supervisors' queries: lists, statistics, ranking, campaign progress.
        await county.Hazards.ListHazardsAsync(new ListHazardsRequest { Parent = $"regions/{County}" });
        await county.Hazards.ListHazardsAsync(new ListHazardsRequest { Parent = mine.Enterprise.Name });
        await county.Regions.GetRegionStatisticsAsync(new GetRegionStatisticsRequest { Name = $"regions/{County}", Period = new StatisticsPeriod { Year = fixture.Now.Year } });
        await Denied(() => county.Hazards.ListHazardsAsync(new ListHazardsRequest { Parent = $"regions/{s_otherCity}" }).ResponseAsync, "parent");
        await Denied(() => county.Hazards.ListHazardsAsync(new ListHazardsRequest { Parent = "regions/37" }).ResponseAsync, "parent");
        await Denied(() => county.Hazards.ListHazardsAsync(new ListHazardsRequest { Parent = theirs.Enterprise.Name }).ResponseAsync, "parent");
        await Denied(() => county.Enterprises.ListEnterprisesAsync(new ListEnterprisesRequest { Parent = "regions/3704" }).ResponseAsync, "parent");
        await Denied(() => county.Regions.GetRegionStatisticsAsync(new GetRegionStatisticsRequest { Name = $"regions/{s_otherCity}", Period = new StatisticsPeriod { Year = fixture.Now.Year } }).ResponseAsync, "name");
        await Denied(() => county.Regions.ListRegionRankingAsync(new ListRegionRankingRequest { Parent = "regions/3704", Key = RankingKey.OverdueShare }).ResponseAsync, "parent");
        await Denied(() => county.Regions.GetCampaignProgressAsync(new GetCampaignProgressRequest { Name = "regions/37" }).ResponseAsync, "name");
        using (var watch = county.Regions.WatchRegionStatus(new WatchRegionStatusRequest { Name = $"regions/{s_otherCity}" }))
        {
            await Denied(() => watch.ResponseStream.MoveNext());
        }

        // Moving its own enterprise out of its county needs the new town in scope too.
        var moved = mine.Enterprise.Clone();
        moved.Town = TestData.TownsOf(s_otherCounty, 1)[0];
        await Denied(() => county.Enterprises.RegisterEnterpriseAsync(new RegisterEnterpriseRequest { Enterprise = moved, RequestId = TestData.NewRequestId() }).ResponseAsync, "enterprise.town");

        // Nothing changed, as the province sees it.
        var after = await _api.Get(theirs.Hazard.Name);
        Assert.Equal(theirs.Hazard.Version, after.Version);
        Assert.Equal(theirs.Enterprise.DisplayName, (await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = theirs.Enterprise.Name })).DisplayName);
        Assert.Equal(mine.Enterprise.Town, (await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = mine.Enterprise.Name })).Town);
    }

    [Fact]
    public async Task A_target_that_does_not_exist_is_denied_outside_the_province_scope_and_not_found_within_it()
    {
        var missing = $"enterprises/{TestData.NewCreditCode(TestData.TownsOf(County, 1)[0])}";
        var county = As("system", County);
        await Denied(() => county.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = missing }).ResponseAsync, "name");
        await Denied(() => county.Hazards.GetHazardAsync(new GetHazardRequest { Name = $"{missing}/hazards/1" }).ResponseAsync, "name");
        await Denied(() => county.Hazards.RecordProgressAsync(new RecordProgressRequest { Name = $"{missing}/hazards/1", ProgressPercent = 5, Note = "无", RequestId = TestData.NewRequestId() }).ResponseAsync, "name");
        await Denied(() => county.Hazards.ReportHazardAsync(new ReportHazardRequest
        {
            Parent = missing, RequestId = TestData.NewRequestId(),
            Hazard = ApiDriver.Finding(ReportChannel.SelfReport, Sector.Chemicals, "第一条", "厂区", fixture.Now.AddDays(-1)),
        }).ResponseAsync, "parent");

        var (code, _, _) = await ApiDriver.Refusal(() => fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = missing }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, code);

        // A hazard number its own enterprise never had: inside the scope, so NOT_FOUND.
        var own = await _api.Register(TestData.NewEnterprise(TestData.TownsOf(County, 1)[0]));
        (code, _, _) = await ApiDriver.Refusal(() => county.Hazards.GetHazardAsync(new GetHazardRequest { Name = $"{own.Name}/hazards/99" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, code);
        (code, _, _) = await ApiDriver.Refusal(() => As("supervisor", "37").Hazards.GetHazardAsync(new GetHazardRequest { Name = $"{missing}/hazards/1" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, code);
    }

    [Fact]
    public async Task A_supervisor_reads_and_decides_in_its_scope_at_or_below_its_level_and_writes_nothing_else()
    {
        var (enterprise, hazard) = await EnterpriseWithHazard(County);
        await _api.Start(hazard.Name, fixture.Now.AddDays(30));
        var countySupervisor = As("supervisor", County, "shanting-supervisor");
        var citySupervisor = As("supervisor", "3704", "zaozhuang-supervisor");

        Assert.Equal(hazard.Name, (await countySupervisor.Hazards.GetHazardAsync(new GetHazardRequest { Name = hazard.Name })).Name);

        // Supervisors report, update, close, withdraw and register nothing.
        await Denied(() => countySupervisor.Hazards.ReportHazardAsync(new ReportHazardRequest
        {
            Parent = enterprise.Name, RequestId = TestData.NewRequestId(),
            Hazard = ApiDriver.Finding(ReportChannel.SelfReport, Sector.Chemicals, "第五条", "车间", fixture.Now.AddDays(-1)),
        }).ResponseAsync);
        await Denied(() => countySupervisor.Hazards.CloseHazardAsync(new CloseHazardRequest { Name = hazard.Name, RequestId = TestData.NewRequestId() }).ResponseAsync);
        await Denied(() => countySupervisor.Hazards.WithdrawHazardAsync(new WithdrawHazardRequest { Name = hazard.Name, Reason = "无", RequestId = TestData.NewRequestId() }).ResponseAsync);
        await Denied(() => countySupervisor.Enterprises.RegisterEnterpriseAsync(new RegisterEnterpriseRequest { Enterprise = enterprise, RequestId = TestData.NewRequestId() }).ResponseAsync);

        // Systems take no supervisor decisions.
        await Denied(() => fixture.Hazards.ExtendDeadlineAsync(Extension(hazard.Name, 40)).ResponseAsync);

        // A county supervisor extends a county-level hazard of its county; not one of another county.
        var extended = await countySupervisor.Hazards.ExtendDeadlineAsync(Extension(hazard.Name, 40));
        Assert.Equal(SupervisionLevel.County, extended.SupervisionLevel);
        var elsewhere = await EnterpriseWithHazard(s_otherCounty);
        await _api.Start(elsewhere.Hazard.Name, fixture.Now.AddDays(30));
        await Denied(() => countySupervisor.Hazards.ExtendDeadlineAsync(Extension(elsewhere.Hazard.Name, 40)).ResponseAsync, "name");

        // Once the city supervises it, the county supervisor decides no more; the city's does.
        var raised = await citySupervisor.Hazards.RaiseSupervisionLevelAsync(new RaiseSupervisionLevelRequest { Name = hazard.Name, Reason = "逾期风险", DecidedBy = "市应急局", RequestId = TestData.NewRequestId() });
        Assert.Equal(SupervisionLevel.City, raised.SupervisionLevel);
        await Denied(() => countySupervisor.Hazards.ExtendDeadlineAsync(Extension(hazard.Name, 50)).ResponseAsync, "name");
        var batch = new BatchUpdateHazardsRequest();
        batch.Updates.Add(new Api.V1.HazardUpdate { ExtendDeadline = Extension(hazard.Name, 50) });
        await Denied(() => countySupervisor.Hazards.BatchUpdateHazardsAsync(batch).ResponseAsync, "updates[0].extend_deadline");
        Assert.Equal(raised.Version, (await _api.Get(hazard.Name)).Version);
        await citySupervisor.Hazards.ExtendDeadlineAsync(Extension(hazard.Name, 50));

        // A town supervisor decides nothing.
        var town = As("supervisor", enterprise.Town);
        await Denied(() => town.Hazards.ExtendDeadlineAsync(Extension(hazard.Name, 60)).ResponseAsync);
    }

    [Fact]
    public async Task The_province_supervisor_reads_everything_and_an_operator_reads_nothing()
    {
        var (enterprise, hazard) = await EnterpriseWithHazard(s_otherCounty);
        var province = As("supervisor", "37");
        Assert.Equal(hazard.Name, (await province.Hazards.GetHazardAsync(new GetHazardRequest { Name = hazard.Name })).Name);
        Assert.Equal(enterprise.Name, (await province.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = enterprise.Name })).Name);
        await province.Regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = $"regions/{s_otherCity}" });
        await province.Enterprises.ListNotificationsAsync(new ListNotificationsRequest { Parent = enterprise.Name });

        var operatorCredential = As("operator", "37");
        await Denied(() => operatorCredential.Hazards.GetHazardAsync(new GetHazardRequest { Name = hazard.Name }).ResponseAsync);
        await Denied(() => operatorCredential.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = enterprise.Name }).ResponseAsync);
        await Denied(() => operatorCredential.Regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" }).ResponseAsync);
        await Denied(() => operatorCredential.Hazards.ListHazardsAsync(new ListHazardsRequest { Parent = "regions/37" }).ResponseAsync);
        await Denied(() => operatorCredential.Enterprises.ListEnterprisesAsync(new ListEnterprisesRequest { Parent = "regions/37" }).ResponseAsync);
        await Denied(() => operatorCredential.Regions.GetRegionStatisticsAsync(new GetRegionStatisticsRequest { Name = "regions/37", Period = new StatisticsPeriod { Year = fixture.Now.Year } }).ResponseAsync);
        await Denied(() => operatorCredential.Hazards.RecordProgressAsync(new RecordProgressRequest { Name = hazard.Name, ProgressPercent = 5, Note = "无", RequestId = TestData.NewRequestId() }).ResponseAsync);
    }

    [Fact]
    public async Task The_trail_records_the_credentials_subject_not_the_header()
    {
        var enterprise = await _api.Register(TestData.NewEnterprise(TestData.TownsOf(County, 1)[0]));
        var county = As("system", County, "shanting-county-system");
        var headers = new Metadata { { "x-system-id", "someone-else" } };
        var reported = await county.Hazards.ReportHazardAsync(new ReportHazardRequest
        {
            Parent = enterprise.Name, RequestId = TestData.NewRequestId(),
            Hazard = ApiDriver.Finding(ReportChannel.SelfReport, Sector.Chemicals, "第七条", "码头", fixture.Now.AddDays(-1)),
        }, headers);
        var trail = (await _api.Get(reported.Hazard.Name)).Trail;
        Assert.All(trail, t => Assert.Equal("shanting-county-system", t.Actor));
    }

    private ExtendDeadlineRequest Extension(string name, int days) => new()
    {
        Name = name, Deadline = Timestamp.FromDateTimeOffset(fixture.Now.AddDays(days)), Reason = "设备到货延迟", DecidedBy = "应急局", RequestId = TestData.NewRequestId(),
    };
}
