using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.GrpcApi;

/// <summary>
/// Bad input is refused with the right status naming the field, and changes nothing: every test
/// reads the state before and after the refused call.
/// </summary>
public sealed class BadInputTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly ApiDriver _api = new(fixture);
    private static readonly string s_town = TestData.TownsOf("370406", 2)[1];

    [Fact]
    public async Task A_credit_code_with_a_wrong_check_character_is_invalid_and_registers_nothing()
    {
        var enterprise = TestData.NewEnterprise(s_town);
        var good = enterprise.CreditCode;
        var wrongCheck = good[..17] + (good[17] == '0' ? '1' : '0');
        enterprise.CreditCode = wrongCheck;

        var (code, field, message) = await ApiDriver.Refusal(() => _api.Register(enterprise));

        Assert.Equal(StatusCode.InvalidArgument, code);
        Assert.Equal("enterprise.credit_code", field);
        Assert.Contains("check character", message);
        await AssertEnterpriseAbsent(good);
    }

    [Theory]
    [InlineData("91370406MA3C")]                 // too short
    [InlineData("91370406MA3CXXXXXI")]           // I is not in the alphabet
    [InlineData("91ABCDEF00000001XA")]           // division part not numeric
    public async Task A_malformed_credit_code_is_invalid(string creditCode)
    {
        var enterprise = TestData.NewEnterprise(s_town);
        enterprise.CreditCode = creditCode;
        var (code, field, _) = await ApiDriver.Refusal(() => _api.Register(enterprise));
        Assert.Equal(StatusCode.InvalidArgument, code);
        Assert.Equal("enterprise.credit_code", field);
    }

    [Theory]
    [InlineData("370406999")]   // no such town
    [InlineData("370406")]      // a county, not a town
    [InlineData("")]
    public async Task An_enterprise_outside_the_towns_of_the_tree_is_refused(string town)
    {
        var enterprise = TestData.NewEnterprise(s_town);
        enterprise.Town = town;
        var (code, field, _) = await ApiDriver.Refusal(() => _api.Register(enterprise));
        Assert.Equal(StatusCode.InvalidArgument, code);
        Assert.Equal("enterprise.town", field);
        await AssertEnterpriseAbsent(enterprise.CreditCode);
    }

    [Fact]
    public async Task A_deadline_in_the_past_is_invalid_and_the_hazard_stays_registered()
    {
        var hazard = await NewHazard();
        var (code, field, _) = await ApiDriver.Refusal(() => _api.Start(hazard.Name, fixture.Now.AddHours(-1)));
        Assert.Equal(StatusCode.InvalidArgument, code);
        Assert.Equal("deadline", field);
        await AssertUnchanged(hazard);
    }

    [Fact]
    public async Task Closure_without_all_three_confirmations_fails_its_precondition_and_records_none()
    {
        var hazard = await NewHazard();
        await _api.Start(hazard.Name, fixture.Now.AddDays(3));
        await _api.Submit(hazard.Name);
        var confirmed = await _api.Confirm(hazard.Name, ConfirmingParty.Regulator);

        // Expert given, principal missing: refused, and the expert's confirmation is not kept either.
        var (code, field, message) = await ApiDriver.Refusal(() => _api.Close(hazard.Name, [ConfirmingParty.Expert]));
        Assert.Equal(StatusCode.FailedPrecondition, code);
        Assert.Equal("confirmations", field);
        Assert.Contains("principal", message);
        await AssertUnchanged(confirmed);

        // No confirmation given at all.
        (code, field, _) = await ApiDriver.Refusal(() => _api.Close(hazard.Name, []));
        Assert.Equal(StatusCode.FailedPrecondition, code);
        Assert.Equal("confirmations", field);
        await AssertUnchanged(confirmed);
    }

    [Fact]
    public async Task An_unknown_hazard_is_not_found_for_reads_and_writes()
    {
        var hazard = await NewHazard();
        var unknown = hazard.Name[..hazard.Name.LastIndexOf('/')] + "/999";

        var (code, field, _) = await ApiDriver.Refusal(() => _api.Get(unknown));
        Assert.Equal(StatusCode.NotFound, code);
        Assert.Equal("name", field);

        (code, field, _) = await ApiDriver.Refusal(() => _api.Start(unknown, fixture.Now.AddDays(1)));
        Assert.Equal(StatusCode.NotFound, code);
        Assert.Equal("name", field);

        var otherEnterprise = $"enterprises/{TestData.NewCreditCode(s_town)}/hazards/1";
        (code, _, _) = await ApiDriver.Refusal(() => _api.Progress(otherEnterprise, 10));
        Assert.Equal(StatusCode.NotFound, code);
    }

    [Fact]
    public async Task A_report_for_an_unregistered_enterprise_is_not_found()
    {
        var code = TestData.NewCreditCode(s_town);
        var (status, field, _) = await ApiDriver.Refusal(() => _api.Report(code, Finding("X-1")));
        Assert.Equal(StatusCode.NotFound, status);
        Assert.Equal("parent", field);
    }

    [Fact]
    public async Task Illegal_transitions_fail_their_precondition_and_change_nothing()
    {
        var hazard = await NewHazard();

        var (code, field, _) = await ApiDriver.Refusal(() => _api.Submit(hazard.Name));
        Assert.Equal(StatusCode.FailedPrecondition, code);
        Assert.Equal("status", field);
        (code, _, _) = await ApiDriver.Refusal(() => _api.Confirm(hazard.Name, ConfirmingParty.Expert));
        Assert.Equal(StatusCode.FailedPrecondition, code);
        (code, _, _) = await ApiDriver.Refusal(() => _api.Progress(hazard.Name, 20));
        Assert.Equal(StatusCode.FailedPrecondition, code);
        await AssertUnchanged(hazard);

        var withdrawn = await _api.Withdraw(hazard.Name, invalid: false);
        (code, field, _) = await ApiDriver.Refusal(() => _api.Start(withdrawn.Name, fixture.Now.AddDays(2)));
        Assert.Equal(StatusCode.FailedPrecondition, code);
        Assert.Equal("status", field);
        (code, _, _) = await ApiDriver.Refusal(() => _api.Withdraw(withdrawn.Name, invalid: true));
        Assert.Equal(StatusCode.FailedPrecondition, code);
        await AssertUnchanged(withdrawn);
    }

    [Fact]
    public async Task A_report_in_a_sector_the_enterprise_is_not_in_fails_its_precondition()
    {
        var enterprise = await _api.Register(TestData.NewEnterprise(s_town, Sector.Chemicals));
        var finding = Finding("MINE-1");
        finding.Sector = Sector.CoalMining;
        var (code, field, _) = await ApiDriver.Refusal(() => _api.Report(enterprise.CreditCode, finding));
        Assert.Equal(StatusCode.FailedPrecondition, code);
        Assert.Equal("hazard.sector", field);
        Assert.Equal(0, (await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = enterprise.Name })).Figures.Registered);
    }

    [Fact]
    public async Task Oversized_strings_are_invalid_and_name_their_field()
    {
        var enterprise = await _api.Register(TestData.NewEnterprise(s_town));
        var before = await _api.Region(s_town);

        var finding = Finding("LONG-1");
        finding.Description = new string('险', 2001);
        var (code, field, message) = await ApiDriver.Refusal(() => _api.Report(enterprise.CreditCode, finding));
        Assert.Equal(StatusCode.InvalidArgument, code);
        Assert.Equal("hazard.description", field);
        Assert.Contains("2000", message);

        finding = Finding(new string('A', 65));
        (code, field, _) = await ApiDriver.Refusal(() => _api.Report(enterprise.CreditCode, finding));
        Assert.Equal(StatusCode.InvalidArgument, code);
        Assert.Equal("hazard.criterion", field);

        var renamed = TestData.NewEnterprise(s_town);
        renamed.DisplayName = new string('企', 201);
        (code, field, _) = await ApiDriver.Refusal(() => _api.Register(renamed));
        Assert.Equal("enterprise.display_name", field);

        var hazard = (await _api.Report(enterprise.CreditCode, Finding("SHORT-1"))).Hazard;
        (code, field, _) = await ApiDriver.Refusal(() => fixture.Hazards.RecordProgressAsync(new RecordProgressRequest
        {
            Name = hazard.Name, ProgressPercent = 10, Note = "ok", RequestId = new string('r', 65),
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, code);
        Assert.Equal("request_id", field);

        Assert.Equal(1, (await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = enterprise.Name })).Figures.Registered);
        await _api.ExpectFigures(s_town, Increment(before.Figures));
    }

    [Fact]
    public async Task Missing_fields_and_malformed_names_are_invalid()
    {
        var enterprise = await _api.Register(TestData.NewEnterprise(s_town));

        var finding = Finding("F-1");
        finding.Channel = ReportChannel.Unspecified;
        var (code, field, _) = await ApiDriver.Refusal(() => _api.Report(enterprise.CreditCode, finding));
        Assert.Equal((StatusCode.InvalidArgument, "hazard.channel"), (code, field));

        finding = Finding("F-2");
        finding.FoundTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(fixture.Now.AddDays(2));
        (code, field, _) = await ApiDriver.Refusal(() => _api.Report(enterprise.CreditCode, finding));
        Assert.Equal((StatusCode.InvalidArgument, "hazard.found_time"), (code, field));

        (code, field, _) = await ApiDriver.Refusal(() => _api.Get("hazards/1"));
        Assert.Equal((StatusCode.InvalidArgument, "name"), (code, field));

        (code, field, _) = await ApiDriver.Refusal(() => _api.Region("99"));
        Assert.Equal((StatusCode.NotFound, "name"), (code, field));

        (code, field, _) = await ApiDriver.Refusal(() => fixture.Hazards.ReportHazardAsync(new ReportHazardRequest
        {
            Parent = enterprise.Name, Hazard = Finding("F-3"), RequestId = "",
        }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "request_id"), (code, field));

        // Without the x-system-id header no write is accepted: the trail must say who wrote.
        var anonymous = new HazardService.HazardServiceClient(fixture.Channel);
        (code, field, _) = await ApiDriver.Refusal(() => anonymous.ReportHazardAsync(new ReportHazardRequest
        {
            Parent = enterprise.Name, Hazard = Finding("F-4"), RequestId = TestData.NewRequestId(),
        }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "x-system-id"), (code, field));

        Assert.Equal(0, (await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = enterprise.Name })).Figures.Registered);
    }

    private static NewHazard Finding(string criterion) =>
        ApiDriver.Finding(ReportChannel.Inspection, Sector.Chemicals, criterion, "反应釜区", ClusterFixture.Start.AddDays(-1));

    private async Task<Hazard> NewHazard()
    {
        var enterprise = await _api.Register(TestData.NewEnterprise(s_town));
        return (await _api.Report(enterprise.CreditCode, Finding("HG-" + Guid.NewGuid().ToString("N")[..6]))).Hazard;
    }

    private async Task AssertUnchanged(Hazard before)
    {
        var after = await _api.Get(before.Name);
        after.Trail.Clear();
        after.Ladder = null;
        Assert.Equal(before, after);
    }

    private async Task AssertEnterpriseAbsent(string creditCode)
    {
        var (code, _, _) = await ApiDriver.Refusal(() => fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = $"enterprises/{creditCode}" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, code);
    }

    private static HazardFigures Increment(HazardFigures before)
    {
        var after = before.Clone();
        after.Open++;
        after.Registered++;
        after.OpenIncrement++;
        after.AtCountyLevel++;
        var chemicals = after.BySector.FirstOrDefault(s => s.Sector == Sector.Chemicals);
        if (chemicals is null)
        {
            after.BySector.Add(Figures.In(Sector.Chemicals, open: 1));
            var sorted = after.BySector.OrderBy(s => s.Sector).ToList();
            after.BySector.Clear();
            after.BySector.AddRange(sorted);
        }
        else
        {
            chemicals.Open++;
        }

        return after;
    }
}
