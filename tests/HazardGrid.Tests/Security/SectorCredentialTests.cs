using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Gateway.Security;
using HazardGrid.Sectors;
using HazardGrid.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace HazardGrid.Tests.Security;

/// <summary>
/// The <c>office</c> claim: only a supervisor's credential carries one, and only an office the
/// service is configured with; a sector office's supervisor decides on its sectors' hazards only,
/// within its region and level as any supervisor; and it makes no system write.
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class SectorCredentialTests(ClusterFixture fixture)
{
    private const string County = "370406";

    private readonly ApiDriver _api = new(fixture);

    [Theory]
    [InlineData("supervisor", "no-such-office", "names no configured sector office")]
    [InlineData("system", "emergency-management", "is for supervisor credentials")]
    [InlineData("operator", "transport", "is for supervisor credentials")]
    public async Task An_office_the_service_does_not_know_or_on_another_role_is_unauthenticated(string role, string office, string message)
    {
        var regions = new RegionService.RegionServiceClient(fixture.As(TestTokens.Mint(role, TestTokens.Province, office: office)));
        var ex = await Assert.ThrowsAsync<RpcException>(() => regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" }).ResponseAsync);
        Assert.True(ex.StatusCode == StatusCode.Unauthenticated, ex.Status.ToString());
        Assert.Contains(message, ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sector_supervisor_decides_on_its_sectors_hazards_in_its_region_only_and_writes_nothing_else()
    {
        var town = TestData.TownsOf(County, 1)[0];
        var enterprise = await _api.Register(TestData.NewEnterprise(town, Api.V1.Sector.Chemicals, Api.V1.Sector.Transport));
        var chemicals = (await _api.Report(enterprise.CreditCode, ApiDriver.Finding(ReportChannel.SelfReport, Api.V1.Sector.Chemicals, "第三条", "罐区", fixture.Now.AddDays(-1)))).Hazard;
        var transport = (await _api.Report(enterprise.CreditCode, ApiDriver.Finding(ReportChannel.SelfReport, Api.V1.Sector.Transport, "第四条", "车库", fixture.Now.AddDays(-1)))).Hazard;
        foreach (var hazard in new[] { chemicals, transport })
        {
            await _api.Start(hazard.Name, fixture.Now.AddDays(10));
        }

        var office = new HazardService.HazardServiceClient(fixture.As(TestTokens.Mint("supervisor", County, "shanting-emergency-management", office: "emergency-management")));
        ExtendDeadlineRequest Extension(string name) => new()
        {
            Name = name, Deadline = Timestamp.FromDateTimeOffset(fixture.Now.AddDays(40)), Reason = "设备到货延迟", DecidedBy = "县应急局", RequestId = TestData.NewRequestId(),
        };

        var before = await _api.Get(transport.Name);
        var (code, field, message) = await ApiDriver.Refusal(() => office.ExtendDeadlineAsync(Extension(transport.Name)).ResponseAsync);
        Assert.True(code == StatusCode.PermissionDenied, message);
        Assert.Equal("name", field);
        Assert.Contains("not in the sectors of the caller's office", message, StringComparison.Ordinal);
        Assert.Equal(before.Version, (await _api.Get(transport.Name)).Version);

        var extended = await office.ExtendDeadlineAsync(Extension(chemicals.Name));
        Assert.Equal(fixture.Now.AddDays(40), extended.Deadline.ToDateTimeOffset());

        // A batch of decisions is checked per hazard the same way.
        var batch = new BatchUpdateHazardsRequest();
        batch.Updates.Add(new HazardUpdate { RaiseSupervisionLevel = new RaiseSupervisionLevelRequest { Name = transport.Name, Reason = "进展缓慢", DecidedBy = "县应急局", RequestId = TestData.NewRequestId() } });
        (code, field, _) = await ApiDriver.Refusal(() => office.BatchUpdateHazardsAsync(batch).ResponseAsync);
        Assert.Equal((StatusCode.PermissionDenied, "updates[0].raise_supervision_level"), (code, field));

        // No system write, and nothing outside its region.
        (code, field, _) = await ApiDriver.Refusal(() => office.RecordProgressAsync(new RecordProgressRequest { Name = chemicals.Name, ProgressPercent = 50, Note = "越权", RequestId = TestData.NewRequestId() }).ResponseAsync);
        Assert.Equal((StatusCode.PermissionDenied, "credential.role"), (code, field));
        var regions = new RegionService.RegionServiceClient(fixture.As(TestTokens.Mint("supervisor", County, office: "emergency-management")));
        (code, field, _) = await ApiDriver.Refusal(() => regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/3701" }).ResponseAsync);
        Assert.Equal((StatusCode.PermissionDenied, "name"), (code, field));
    }

    [Fact]
    public async Task A_sector_office_person_signs_in_with_an_account_that_carries_the_office()
    {
        var accounts = new AccountService.AccountServiceClient(fixture.As(TestTokens.Mint("operator", TestTokens.Province)));
        var user = $"fire.{Guid.NewGuid():N}"[..20];
        const string password = "correct horse 电池";
        var created = await accounts.CreateAccountAsync(new CreateAccountRequest
        {
            UserName = user, DisplayName = "消防 李科长", Role = AccountRole.Supervisor, Region = County, Password = password, Office = "fire-rescue",
        });
        Assert.Equal("fire-rescue", created.Office);
        var (code, field, _) = await ApiDriver.Refusal(() => accounts.CreateAccountAsync(new CreateAccountRequest
        {
            UserName = user + "x", Role = AccountRole.Supervisor, Region = County, Password = password, Office = "no-such-office",
        }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "office"), (code, field));

        var town = TestData.TownsOf(County, 1)[0];
        var enterprise = await _api.Register(TestData.NewEnterprise(town, Api.V1.Sector.FireSafety, Api.V1.Sector.Gas));
        var fire = (await _api.Report(enterprise.CreditCode, ApiDriver.Finding(ReportChannel.SelfReport, Api.V1.Sector.FireSafety, "第二条", "疏散通道", fixture.Now.AddDays(-1)))).Hazard;
        var gas = (await _api.Report(enterprise.CreditCode, ApiDriver.Finding(ReportChannel.SelfReport, Api.V1.Sector.Gas, "第六条", "燃气管道", fixture.Now.AddDays(-1)))).Hazard;

        using var browser = new Accounts.ConsoleBrowser(fixture.JsonAddress);
        var signIn = await browser.SignIn(user, password);
        Assert.Equal("fire-rescue", signIn.Json.GetProperty("office").GetString());
        var own = await browser.Get($"/v1/{fire.Name}");
        Assert.True(own.Status == System.Net.HttpStatusCode.OK, own.ToString());
        var other = await browser.Get($"/v1/{gas.Name}");
        Assert.True(other.Status == System.Net.HttpStatusCode.Forbidden, other.ToString());
        Assert.Contains("not in the sectors of office fire-rescue", other.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Offices_come_from_configuration_and_bad_settings_are_refused_with_every_problem()
    {
        Assert.Equal(SectorOffices.Default.Offices.Keys, SectorOfficeSettings.Load(new ConfigurationBuilder().Build()).Offices.Keys);
        // Every sector has exactly one office by default.
        Assert.Equal(System.Enum.GetValues<Enterprises.Sector>().Order(), SectorOffices.Default.Offices.Values.SelectMany(s => s.Sectors).Order());

        var configured = SectorOfficeSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HazardGrid:SectorOffices:mines:Sectors:0"] = "CoalMining",
            ["HazardGrid:SectorOffices:mines:Sectors:1"] = "NonCoalMining",
        }).Build());
        Assert.Equal(["mines"], configured.Offices.Keys);
        Assert.Equal(SectorScope.Of([Enterprises.Sector.NonCoalMining, Enterprises.Sector.CoalMining]), configured.Find("MINES"));

        var bad = Assert.Throws<InvalidOperationException>(() => SectorOfficeSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HazardGrid:SectorOffices:Mines Office:Sectors:0"] = "Coal",
            ["HazardGrid:SectorOffices:ports:Sectors:0"] = "7",
        }).Build()));
        Assert.Contains("an office name is 1 to 64 lower-case letters", bad.Message, StringComparison.Ordinal);
        Assert.Contains("'Coal' is not a sector", bad.Message, StringComparison.Ordinal);
        Assert.Contains("'7' is not a sector", bad.Message, StringComparison.Ordinal);
    }
}
