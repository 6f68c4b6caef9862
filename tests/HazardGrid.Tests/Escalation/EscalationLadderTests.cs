using Google.Protobuf.WellKnownTypes;
using HazardGrid.Api.V1;
using HazardGrid.Enterprises;
using HazardGrid.Tests.Infrastructure;
using Xunit;
using static HazardGrid.Tests.Infrastructure.Figures;
using DomainStep = HazardGrid.Escalations.EscalationStep;
using Sector = HazardGrid.Api.V1.Sector;

namespace HazardGrid.Tests.Escalation;

/// <summary>
/// The escalation ladder on a controllable clock: every rung, a raise of level, an extension that
/// re-plans the ladder, closure that stops it; the trail, the enterprise and every region above
/// checked after each step. Its own cluster, so the province counts only these hazards.
/// </summary>
public sealed class EscalationLadderTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly ApiDriver _api = new(fixture);

    [Fact]
    public async Task A_hazard_left_unrectified_climbs_every_rung_on_time_and_each_step_is_counted_everywhere_once()
    {
        const string county = "370406";
        var town = TestData.TownsOf(county, 1)[0];
        var enterprise = await _api.Register(TestData.NewEnterprise(town, Sector.Chemicals));
        var start = fixture.Now;   // 2025-06-10 09:00 China time
        var hazard = (await _api.Report(enterprise.CreditCode, ApiDriver.Finding(ReportChannel.SelfReport, Sector.Chemicals, "HG-L", "罐区", start.AddDays(-1)))).Hazard;
        Assert.Equal(SupervisionLevel.County, hazard.SupervisionLevel);
        var deadline = start.AddDays(2);
        await _api.Start(hazard.Name, deadline);

        async Task ExpectEverywhere(HazardFigures figures, bool summoned)
        {
            foreach (var code in new[] { town, county, "3704", "37" })
            {
                await _api.ExpectFigures(code, figures);
                Assert.Equal(summoned, (await _api.Region(code)).LeadershipSummons);
            }

            Assert.Equal(figures, (await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = enterprise.Name })).Figures);
        }

        var ladder = (await _api.Get(hazard.Name)).Ladder;
        Assert.Equal((EscalationStep.WarningLetter, deadline), (ladder.NextStep, ladder.NextDueTime.ToDateTimeOffset()));
        await ExpectEverywhere(Of(rectifying: 1, openIncrement: 1, sectors: [In(Sector.Chemicals, open: 1)]), summoned: false);

        // Deadline passes (June 12): the warning letter fires within a clock check.
        fixture.Advance(TimeSpan.FromDays(2) + TimeSpan.FromMinutes(1));
        var overdue = new[] { In(Sector.Chemicals, open: 1, overdue: 1) };
        await ExpectEverywhere(Of(rectifying: 1, overdue: 1, openIncrement: 1, sectors: overdue, letters: 1), summoned: true);
        var got = await _api.Get(hazard.Name);
        Assert.Equal(EscalationStep.WarningLetter, got.Escalations.Single().Step);
        Assert.Equal(deadline, got.Escalations.Single().DueTime.ToDateTimeOffset());
        Assert.Equal((EscalationStep.Circular, deadline.AddDays(7)), (got.Ladder.NextStep, got.Ladder.NextDueTime.ToDateTimeOffset()));
        Assert.Equal("escalation-ladder", got.Trail.Last().Actor);
        Assert.Contains("WarningLetter due", got.Trail.Last().Detail);

        // A supervisor extends the deadline by five days: the circular re-plans from it.
        var extended = deadline.AddDays(5);
        var afterExtension = await fixture.SupervisorHazards.ExtendDeadlineAsync(new ExtendDeadlineRequest
        {
            Name = hazard.Name, Deadline = Timestamp.FromDateTimeOffset(extended), Reason = "设备到货延迟", DecidedBy = "县应急局 刘科长", RequestId = TestData.NewRequestId(),
        });
        Assert.Equal(extended, afterExtension.Deadline.ToDateTimeOffset());
        Assert.Equal(extended.AddDays(7), (await _api.Get(hazard.Name)).Ladder.NextDueTime.ToDateTimeOffset());
        await ExpectEverywhere(Of(rectifying: 1, openIncrement: 1, sectors: [In(Sector.Chemicals, open: 1)], letters: 1), summoned: false);

        // Circular at extended+7 (June 24), summons at +14 (July 1: a new month).
        fixture.Advance(extended.AddDays(7) - fixture.Now + TimeSpan.FromMinutes(1));
        await ExpectEverywhere(Of(rectifying: 1, overdue: 1, openIncrement: 1, sectors: overdue, letters: 1, circulars: 1), summoned: true);
        fixture.Advance(TimeSpan.FromDays(7));
        await ExpectEverywhere(Of(rectifying: 1, overdue: 1, openIncrement: 1, sectors: overdue, summons: 1), summoned: true);

        // Public exposure at +30 (July 17) raises supervision to the city and puts the enterprise on the watch list.
        fixture.Advance(extended.AddDays(30) - fixture.Now + TimeSpan.FromMinutes(1));
        await ExpectEverywhere(Of(rectifying: 1, overdue: 1, openIncrement: 1, sectors: overdue, atCity: 1, summons: 1, exposures: 1, exposed: 1, watchList: 1), summoned: true);
        got = await _api.Get(hazard.Name);
        Assert.Equal(SupervisionLevel.City, got.SupervisionLevel);
        Assert.Contains("supervision raised county → city", got.Trail.Last().Detail);
        var watch = await fixture.Regions.ListWatchListAsync(new ListWatchListRequest { Parent = "regions/37" });
        Assert.Equal(enterprise.Name, watch.Entries.Single().Enterprise);
        Assert.True(watch.Entries.Single().Exposed);

        // At city level the investigation rung (province only) does not apply: nothing is next.
        Assert.Equal(EscalationStep.Unspecified, got.Ladder.NextStep);

        // A supervisor raises it to the province; the investigation rung falls due at +90.
        var raised = await fixture.SupervisorHazards.RaiseSupervisionLevelAsync(new RaiseSupervisionLevelRequest
        {
            Name = hazard.Name, Reason = "曝光后仍未整改", DecidedBy = "市安委办", RequestId = TestData.NewRequestId(),
        });
        Assert.Equal(SupervisionLevel.Province, raised.SupervisionLevel);
        Assert.Equal((EscalationStep.AccidentInvestigation, extended.AddDays(90)), ((await _api.Get(hazard.Name)).Ladder.NextStep, (await _api.Get(hazard.Name)).Ladder.NextDueTime.ToDateTimeOffset()));
        fixture.Advance(extended.AddDays(90) - fixture.Now + TimeSpan.FromMinutes(1));   // September 15
        await ExpectEverywhere(Of(rectifying: 1, overdue: 1, openIncrement: 1, sectors: overdue, atProvince: 1, investigations: 1, exposed: 1, underInvestigation: 1, watchList: 1), summoned: true);

        // Every step is on the trail once, with its due time; the events list shows them newest first.
        got = await _api.Get(hazard.Name);
        Assert.Equal(
            [EscalationStep.WarningLetter, EscalationStep.Circular, EscalationStep.Summons, EscalationStep.PublicExposure, EscalationStep.AccidentInvestigation],
            got.Escalations.Select(e => e.Step));
        Assert.Equal(
            [deadline, extended.AddDays(7), extended.AddDays(14), extended.AddDays(30), extended.AddDays(90)],
            got.Escalations.Select(e => e.DueTime.ToDateTimeOffset()));
        Assert.All(got.Escalations, e => Assert.True(e.FireTime.ToDateTimeOffset() - e.DueTime.ToDateTimeOffset() <= TimeSpan.FromMinutes(1)));
        Assert.Equal(5, got.Trail.Count(t => t.Action == TrailAction.Escalated));
        Assert.All(got.Escalations, e => Assert.Equal(EscalationTrigger.Ladder, e.Trigger));
        var events = await fixture.Regions.ListEscalationEventsAsync(new ListEscalationEventsRequest { Parent = $"regions/{county}", PageSize = 2 });
        Assert.Equal([EscalationStep.AccidentInvestigation, EscalationStep.PublicExposure], events.Events.Select(e => e.Step));
        var rest = await fixture.Regions.ListEscalationEventsAsync(new ListEscalationEventsRequest { Parent = $"regions/{county}", PageSize = 10, PageToken = events.NextPageToken });
        Assert.Equal([EscalationStep.Summons, EscalationStep.Circular, EscalationStep.WarningLetter], rest.Events.Select(e => e.Step));
        Assert.Equal(string.Empty, rest.NextPageToken);

        // Each step told the principal, the actual controller and the supervising office.
        var notes = (await fixture.Enterprises.ListNotificationsAsync(new ListNotificationsRequest { Parent = enterprise.Name })).Notifications;
        Assert.Equal(2 + (5 * 3), notes.Count);
        Assert.Contains(notes, n => n.Kind == NotificationKind.Escalation && n.RecipientRole == RecipientRole.SupervisingOffice && n.RecipientName == "山亭区安委办" && n.Message.StartsWith("WarningLetter", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Kind == NotificationKind.Escalation && n.RecipientRole == RecipientRole.SupervisingOffice && n.RecipientName == "山东省安委办" && n.Message.StartsWith("AccidentInvestigation", StringComparison.Ordinal));

        // Closure stops the ladder and takes the enterprise off the watch list.
        await _api.Submit(hazard.Name);
        await _api.Close(hazard.Name, [ConfirmingParty.Regulator, ConfirmingParty.Expert, ConfirmingParty.Principal]);
        fixture.Advance(TimeSpan.FromDays(40));
        await ExpectEverywhere(Of(closed: 1, closedIncrement: 1, sectors: [In(Sector.Chemicals, closed: 1)]), summoned: false);
        Assert.Equal(5, (await _api.Get(hazard.Name)).Escalations.Count);
        Assert.Empty((await fixture.Regions.ListWatchListAsync(new ListWatchListRequest { Parent = "regions/37" })).Entries);
    }
}
