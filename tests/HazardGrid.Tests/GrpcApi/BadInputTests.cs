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

        // Without a credential no write is accepted: the trail must say who wrote.
        var anonymous = new HazardService.HazardServiceClient(fixture.Channel);
        (code, _, _) = await ApiDriver.Refusal(() => anonymous.ReportHazardAsync(new ReportHazardRequest
        {
            Parent = enterprise.Name, Hazard = Finding("F-4"), RequestId = TestData.NewRequestId(),
        }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, code);

        Assert.Equal(0, (await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = enterprise.Name })).Figures.Registered);
    }

    // ---- Timestamps a google.protobuf.Timestamp cannot hold ----

    public static TheoryData<long, int> OutOfRangeTimestamps => new()
    {
        { 253_402_300_800, 0 },   // 10000-01-01T00:00:00Z, beyond year 9999
        { -62_135_596_801, 0 },   // before 0001-01-01
        { 1_750_000_000, 1_000_000_000 },   // nanos ≥ 1e9
        { 1_750_000_000, -1 },    // negative nanos
    };

    [Theory]
    [MemberData(nameof(OutOfRangeTimestamps))]
    public async Task A_timestamp_out_of_range_is_invalid_in_every_field_and_changes_nothing(long seconds, int nanos)
    {
        var bad = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = seconds, Nanos = nanos };
        var enterprise = await _api.Register(TestData.NewEnterprise(s_town));
        var hazard = (await _api.Report(enterprise.CreditCode, Finding("TS-" + Guid.NewGuid().ToString("N")[..6]))).Hazard;
        var before = await _api.Region(s_town);

        var finding = Finding("TS-NEW");
        finding.FoundTime = bad;
        await AssertTimestampRefused(() => _api.Report(enterprise.CreditCode, finding), "hazard.found_time");

        await AssertTimestampRefused(() => fixture.Hazards.StartRectificationAsync(new StartRectificationRequest
        {
            Name = hazard.Name, Deadline = bad, Plan = "整改", RequestId = TestData.NewRequestId(),
        }).ResponseAsync, "deadline");

        await AssertTimestampRefused(() => fixture.Hazards.ConfirmRectificationAsync(new ConfirmRectificationRequest
        {
            Name = hazard.Name, Confirmation = new PartyConfirmation { Party = ConfirmingParty.Regulator, Name = "赵监管", ConfirmTime = bad },
            RequestId = TestData.NewRequestId(),
        }).ResponseAsync, "confirmation.confirm_time");

        await AssertTimestampRefused(() => fixture.SupervisorHazards.ExtendDeadlineAsync(new ExtendDeadlineRequest
        {
            Name = hazard.Name, Deadline = bad, Reason = "延期", DecidedBy = "赵监管", RequestId = TestData.NewRequestId(),
        }).ResponseAsync, "deadline");

        await AssertTimestampRefused(() => fixture.Enterprises.ReportFatalAccidentAsync(new ReportFatalAccidentRequest
        {
            Parent = enterprise.Name, Accident = new NewFatalAccident { OccurredTime = bad, Deaths = 1, Description = "事故" },
            RequestId = TestData.NewRequestId(),
        }).ResponseAsync, "accident.occurred_time");

        // A valid timestamp that cannot be an accident's time (before 2000) is refused like a found time before 2000.
        var ancient = await ApiDriver.Refusal(() => fixture.Enterprises.ReportFatalAccidentAsync(new ReportFatalAccidentRequest
        {
            Parent = enterprise.Name, Accident = new NewFatalAccident { OccurredTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(new DateTime(1999, 12, 31, 0, 0, 0, DateTimeKind.Utc)), Deaths = 1, Description = "事故" },
            RequestId = TestData.NewRequestId(),
        }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "accident.occurred_time"), (ancient.Code, ancient.Field));
        Assert.Contains("before 2000", ancient.Message);

        // Inside a batch, the refusal names the update by its path; nothing in the batch is applied.
        var batch = new BatchUpdateHazardsRequest();
        batch.Updates.Add(new HazardUpdate { RecordProgress = new RecordProgressRequest { Name = hazard.Name, ProgressPercent = 0, Note = "x", RequestId = TestData.NewRequestId() } });
        batch.Updates.Add(new HazardUpdate { StartRectification = new StartRectificationRequest { Name = hazard.Name, Deadline = bad, Plan = "整改", RequestId = TestData.NewRequestId() } });
        await AssertTimestampRefused(() => fixture.Hazards.BatchUpdateHazardsAsync(batch).ResponseAsync, "updates[1].start_rectification.deadline");

        var close = new CloseHazardRequest { Name = hazard.Name, RequestId = TestData.NewRequestId() };
        close.Confirmations.Add(_api.Confirmation(ConfirmingParty.Regulator));
        close.Confirmations.Add(new PartyConfirmation { Party = ConfirmingParty.Expert, Name = "钱专家", ConfirmTime = bad });
        batch = new BatchUpdateHazardsRequest();
        batch.Updates.Add(new HazardUpdate { CloseHazard = close });
        await AssertTimestampRefused(() => fixture.Hazards.BatchUpdateHazardsAsync(batch).ResponseAsync, "updates[0].close_hazard.confirmations[1].confirm_time");

        await AssertUnchanged(hazard);
        var after = await _api.Get(hazard.Name);
        Assert.Single(after.Trail);
        var now = await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = enterprise.Name });
        Assert.Empty(now.FatalAccidents);
        Assert.Equal(1, now.Figures.Registered);
        await _api.ExpectFigures(s_town, before.Figures);
    }

    private static async Task AssertTimestampRefused(Func<Task> call, string expectedField)
    {
        var (code, field, message) = await ApiDriver.Refusal(call);
        Assert.Equal((StatusCode.InvalidArgument, expectedField), (code, field));
        Assert.Contains("google.protobuf.Timestamp", message);
    }

    // ---- Control characters and text rules ----

    [Theory]
    [InlineData("\u0000\u0001\u0007", "U+0000")]
    [InlineData("ACME\u0000Ltd\u001b[31m", "U+0000")]
    [InlineData("ACME Ltd\u001b[31m", "U+001B")]
    [InlineData("ACME\u0085Ltd", "U+0085")]          // C1
    [InlineData("ACME\u202Edtl", "U+202E")]          // right-to-left override
    [InlineData("ACME\nLtd", "line break")]          // a name is one line
    [InlineData("ACME\tLtd", "tab")]
    [InlineData("ACME \uFFFD Ltd", "U+FFFD")]        // invalid UTF-8 on the wire arrives as U+FFFD
    public async Task A_display_name_with_control_characters_is_invalid_and_registers_nothing(string name, string named)
    {
        var enterprise = TestData.NewEnterprise(s_town);
        enterprise.DisplayName = name;
        var (code, field, message) = await ApiDriver.Refusal(() => _api.Register(enterprise));
        Assert.Equal((StatusCode.InvalidArgument, "enterprise.display_name"), (code, field));
        Assert.Contains(named, message);
        await AssertEnterpriseAbsent(enterprise.CreditCode);
    }

    [Fact]
    public async Task Control_characters_are_refused_in_every_free_text_field_and_change_nothing()
    {
        var enterprise = TestData.NewEnterprise(s_town);
        enterprise.Principal.Name = "\b\0";
        var (code, field, message) = await ApiDriver.Refusal(() => _api.Register(enterprise));
        Assert.Equal((StatusCode.InvalidArgument, "enterprise.principal.name"), (code, field));
        Assert.Contains("U+0008", message);
        await AssertEnterpriseAbsent(enterprise.CreditCode);

        // In a batch, the entry's path.
        var batch = new BatchRegisterEnterprisesRequest();
        var good = TestData.NewEnterprise(s_town);
        var bad = TestData.NewEnterprise(s_town);
        bad.ActualController.Name = "李\u0007控制";
        batch.Requests.Add(new RegisterEnterpriseRequest { Enterprise = good, RequestId = TestData.NewRequestId() });
        batch.Requests.Add(new RegisterEnterpriseRequest { Enterprise = bad, RequestId = TestData.NewRequestId() });
        (code, field, _) = await ApiDriver.Refusal(() => fixture.Enterprises.BatchRegisterEnterprisesAsync(batch).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "requests[1].enterprise.actual_controller.name"), (code, field));
        await AssertEnterpriseAbsent(bad.CreditCode);   // (the batch's other entries may stand, as documented)

        // A criterion of control characters created a hazard and moved the figures: no more.
        var registered = await _api.Register(TestData.NewEnterprise(s_town));
        var hazard = (await _api.Report(registered.CreditCode, Finding("CTRL-2"))).Hazard;
        hazard = await _api.Start(hazard.Name, fixture.Now.AddDays(3));
        var before = await _api.Region(s_town);
        (code, field, message) = await ApiDriver.Refusal(() => _api.Report(registered.CreditCode, Finding("\0\u0002")));
        Assert.Equal((StatusCode.InvalidArgument, "hazard.criterion"), (code, field));
        Assert.Contains("control character U+0000", message);

        var finding = Finding("CTRL-1");
        finding.Location = "反应釜区\u0000";
        (code, field, _) = await ApiDriver.Refusal(() => _api.Report(registered.CreditCode, finding));
        Assert.Equal((StatusCode.InvalidArgument, "hazard.location"), (code, field));

        (code, field, _) = await ApiDriver.Refusal(() => fixture.Hazards.RecordProgressAsync(new RecordProgressRequest
        {
            Name = hazard.Name, ProgressPercent = 0, Note = "ok\u001b[2J", RequestId = TestData.NewRequestId(),
        }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "note"), (code, field));
        (code, field, _) = await ApiDriver.Refusal(() => fixture.Hazards.WithdrawHazardAsync(new WithdrawHazardRequest
        {
            Name = hazard.Name, Reason = "\u0000", RequestId = TestData.NewRequestId(),
        }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "reason"), (code, field));
        (code, field, _) = await ApiDriver.Refusal(() => fixture.SupervisorHazards.RaiseSupervisionLevelAsync(new RaiseSupervisionLevelRequest
        {
            Name = hazard.Name, Reason = "提级", DecidedBy = "赵\u0000监管", RequestId = TestData.NewRequestId(),
        }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "decided_by"), (code, field));
        (code, field, _) = await ApiDriver.Refusal(() => _api.Report(registered.CreditCode, Finding("CTRL-3"), requestId: "req\u0000id"));
        Assert.Equal((StatusCode.InvalidArgument, "request_id"), (code, field));

        await AssertUnchanged(hazard);
        await _api.ExpectFigures(s_town, before.Figures);
    }

    [Theory]
    [InlineData("\u200B")]          // zero-width space only
    [InlineData(" \u3000 ")]        // ideographic space
    [InlineData("\u200B\u2060 ")]   // invisible format characters
    public async Task A_name_of_invisible_characters_only_is_missing(string name)
    {
        var enterprise = TestData.NewEnterprise(s_town);
        enterprise.DisplayName = name;
        var (code, field, message) = await ApiDriver.Refusal(() => _api.Register(enterprise));
        Assert.Equal((StatusCode.InvalidArgument, "enterprise.display_name"), (code, field));
        Assert.Contains("is required", message);
        await AssertEnterpriseAbsent(enterprise.CreditCode);
    }

    [Fact]
    public async Task Text_is_stored_trimmed_NFC_normalized_and_with_LF_line_breaks_in_multi_line_fields()
    {
        var enterprise = TestData.NewEnterprise(s_town);
        enterprise.DisplayName = "  Cafe\u0301 化工有限公司 ";   // decomposed é
        var registered = await _api.Register(enterprise);
        Assert.Equal("Caf\u00E9 化工有限公司", registered.DisplayName);

        var finding = Finding(" HG-NFC ");
        finding.Description = "第一行\r\n第二行\r第三行\t（附表）\n";
        var hazard = (await _api.Report(registered.CreditCode, finding)).Hazard;
        Assert.Equal("HG-NFC", hazard.Criterion);
        Assert.Equal("第一行\n第二行\n第三行\t（附表）", hazard.Description);

        // Length counts characters after normalization: 64 decomposed é (128 UTF-16 units) fit a criterion of 64.
        var composed = Finding(string.Concat(Enumerable.Repeat("e\u0301", 64)));
        Assert.Equal(64, (await _api.Report(registered.CreditCode, composed)).Hazard.Criterion.Length);
    }

    // ---- Messages that say what is wrong ----

    [Fact]
    public async Task Unknown_enum_numbers_are_named_as_unknown_and_zero_as_missing()
    {
        var enterprise = await _api.Register(TestData.NewEnterprise(s_town));
        var before = await _api.Region(s_town);

        async Task Expect(Func<Task> call, string expectedField, string expectedMessage)
        {
            var (code, field, message) = await ApiDriver.Refusal(call);
            Assert.Equal((StatusCode.InvalidArgument, expectedField), (code, field));
            Assert.Contains(expectedMessage, message);
        }

        var finding = Finding("ENUM-1");
        finding.Channel = (ReportChannel)99;
        await Expect(() => _api.Report(enterprise.CreditCode, finding), "hazard.channel", "99 is not a known report channel");
        finding.Channel = ReportChannel.Unspecified;
        await Expect(() => _api.Report(enterprise.CreditCode, finding), "hazard.channel", "is required");

        finding = Finding("ENUM-2");
        finding.Sector = (Sector)99;
        await Expect(() => _api.Report(enterprise.CreditCode, finding), "hazard.sector", "99 is not a known sector");
        finding.Sector = Sector.Unspecified;
        await Expect(() => _api.Report(enterprise.CreditCode, finding), "hazard.sector", "is required");

        finding = Finding("ENUM-3");
        finding.FoundByLevel = (SupervisionLevel)7;
        await Expect(() => _api.Report(enterprise.CreditCode, finding), "hazard.found_by_level", "7 is not a known supervision level");

        var unknownSector = TestData.NewEnterprise(s_town);
        unknownSector.Sectors.Add((Sector)15);
        await Expect(() => _api.Register(unknownSector), "enterprise.sectors[1]", "15 is not a known sector");
        await AssertEnterpriseAbsent(unknownSector.CreditCode);

        var hazard = (await _api.Report(enterprise.CreditCode, Finding("ENUM-4"))).Hazard;
        var confirmation = _api.Confirmation(ConfirmingParty.Regulator);
        confirmation.Party = (ConfirmingParty)4;
        await Expect(() => fixture.Hazards.ConfirmRectificationAsync(new ConfirmRectificationRequest
        {
            Name = hazard.Name, Confirmation = confirmation, RequestId = TestData.NewRequestId(),
        }).ResponseAsync, "confirmation.party", "4 is not a known confirming party");
        confirmation.Party = ConfirmingParty.Unspecified;
        await Expect(() => fixture.Hazards.ConfirmRectificationAsync(new ConfirmRectificationRequest
        {
            Name = hazard.Name, Confirmation = confirmation, RequestId = TestData.NewRequestId(),
        }).ResponseAsync, "confirmation.party", "is required");

        await AssertUnchanged(hazard);
        await _api.ExpectFigures(s_town, Increment(before.Figures));
    }

    [Theory]
    [InlineData("enterprises/", "names no credit code")]
    [InlineData("", "is required")]
    [InlineData("enterprise/91370406MA3C00000X", "is not of the form enterprises/{credit_code}")]
    [InlineData("enterprises/91370406MA3C", "names no valid credit code")]
    public async Task A_malformed_parent_says_what_is_wrong_with_it(string parent, string expected)
    {
        var (code, field, message) = await ApiDriver.Refusal(() => fixture.Hazards.ReportHazardAsync(new ReportHazardRequest
        {
            Parent = parent, Hazard = Finding("P-1"), RequestId = TestData.NewRequestId(),
        }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "parent"), (code, field));
        Assert.Contains(expected, message);
    }

    [Theory]
    [InlineData("enterprises//hazards/x")]
    [InlineData("enterprises//hazards/1")]
    [InlineData("enterprises/x/hazards")]
    [InlineData("enterprises/x/hazards/0")]
    public async Task A_malformed_hazard_name_says_it_is_not_of_the_form(string name)
    {
        var (code, field, message) = await ApiDriver.Refusal(() => _api.Get(name));
        Assert.Equal((StatusCode.InvalidArgument, "name"), (code, field));
        Assert.Contains("is not of the form enterprises/{credit_code}/hazards/{number}", message);
    }

    [Fact]
    public async Task Times_in_messages_are_printed_in_China_time()
    {
        var hazard = await NewHazard();
        var past = new DateTimeOffset(2025, 6, 9, 20, 30, 0, TimeSpan.Zero);   // 2025-06-10 04:30 in China
        var (code, field, message) = await ApiDriver.Refusal(() => _api.Start(hazard.Name, past));
        Assert.Equal((StatusCode.InvalidArgument, "deadline"), (code, field));
        Assert.Contains("2025-06-10 04:30:00 +08:00", message);
        await AssertUnchanged(hazard);
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
