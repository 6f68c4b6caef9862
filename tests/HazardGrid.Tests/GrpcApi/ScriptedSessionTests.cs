using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;
using static HazardGrid.Tests.Infrastructure.Figures;

namespace HazardGrid.Tests.GrpcApi;

/// <summary>
/// A whole session over a real gRPC channel: enterprises in two counties of two cities, hazards
/// through every channel, the lifecycle end to end, with the town, county, city and province
/// figures checked exactly after every step. Its own cluster, so the province counts only this.
/// </summary>
public sealed class ScriptedSessionTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly ApiDriver _api = new(fixture);

    [Fact]
    public async Task Hazards_move_through_the_lifecycle_and_every_region_above_counts_them_exactly()
    {
        // Jinan (3701), its first county; Zaozhuang (3704), Shanting district (370406).
        var countyA = TestData.Regions.ChildrenOf("3701")[0];
        var (townA1, townA2) = (TestData.TownsOf(countyA, 2)[0], TestData.TownsOf(countyA, 2)[1]);
        const string countyB = "370406";
        var townB = TestData.TownsOf(countyB, 1)[0];
        var now = fixture.Now;

        var chem = await _api.Register(TestData.NewEnterprise(townA1, Sector.Chemicals, Sector.Gas));
        var mine = await _api.Register(TestData.NewEnterprise(townA2, Sector.NonCoalMining));
        var fireworks = await _api.Register(TestData.NewEnterprise(townB, Sector.Fireworks));
        Assert.Equal($"enterprises/{chem.CreditCode}", chem.Name);

        async Task Expect(HazardFigures town1, HazardFigures town2, HazardFigures town3)
        {
            await _api.ExpectFigures(townA1, town1);
            await _api.ExpectFigures(townA2, town2);
            await _api.ExpectFigures(townB, town3);
            var county = Sum(town1, town2);
            await _api.ExpectFigures(countyA, county);
            await _api.ExpectFigures("3701", county);
            await _api.ExpectFigures(countyB, town3);
            await _api.ExpectFigures("3704", town3);
            await _api.ExpectFigures("37", Sum(county, town3));
        }

        await Expect(Of(), Of(), Of());

        // 1. A stock hazard (found 2023), self-reported.
        var h1 = (await _api.Report(chem.CreditCode, ApiDriver.Finding(ReportChannel.SelfReport, Sector.Chemicals, "GB-HG-4.1", "储罐区 T-101", new(2023, 5, 1, 0, 0, 0, TimeSpan.FromHours(8))))).Hazard;
        Assert.Equal($"enterprises/{chem.CreditCode}/hazards/1", h1.Name);
        Assert.Equal(HazardState.Registered, h1.State);
        Assert.True(h1.Stock);
        await Expect(Of(registered: 1, openStock: 1, sectors: [In(Sector.Chemicals, open: 1)]), Of(), Of());

        // 2. An increment hazard found by inspection; 3. a verified tip in the other city.
        var h2 = (await _api.Report(mine.CreditCode, ApiDriver.Finding(ReportChannel.Inspection, Sector.NonCoalMining, "KS-3.2", "主斜井", now.AddDays(-2)))).Hazard;
        var h3 = (await _api.Report(fireworks.CreditCode, ApiDriver.Finding(ReportChannel.VerifiedTip, Sector.Fireworks, "YH-2.7", "药物混合工房", now.AddDays(-1)))).Hazard;
        await Expect(
            Of(registered: 1, openStock: 1, sectors: [In(Sector.Chemicals, open: 1)]),
            Of(registered: 1, openIncrement: 1, sectors: [In(Sector.NonCoalMining, open: 1)]),
            Of(registered: 1, openIncrement: 1, sectors: [In(Sector.Fireworks, open: 1)]));

        // 4. The first finding again, through expert diagnosis and with other spacing: same record.
        var again = await _api.Report(chem.CreditCode, ApiDriver.Finding(ReportChannel.ExpertDiagnosis, Sector.Chemicals, "gb-hg-4.1", "储罐区  T-101", new(2023, 5, 1, 0, 0, 0, TimeSpan.FromHours(8))));
        Assert.False(again.Created);
        Assert.Equal(h1.Name, again.Hazard.Name);
        Assert.Equal([ReportChannel.SelfReport, ReportChannel.ExpertDiagnosis], again.Hazard.Channels);

        // 5. A second hazard at the chemicals enterprise, in its other sector.
        var h4 = (await _api.Report(chem.CreditCode, ApiDriver.Finding(ReportChannel.ExpertDiagnosis, Sector.Gas, "RQ-1.3", "调压站", now.AddDays(-3)))).Hazard;
        Assert.Equal($"enterprises/{chem.CreditCode}/hazards/2", h4.Name);
        var town1 = Of(registered: 2, openStock: 1, openIncrement: 1, sectors: [In(Sector.Chemicals, open: 1), In(Sector.Gas, open: 1)]);
        var town2 = Of(registered: 1, openIncrement: 1, sectors: [In(Sector.NonCoalMining, open: 1)]);
        var town3 = Of(registered: 1, openIncrement: 1, sectors: [In(Sector.Fireworks, open: 1)]);
        await Expect(town1, town2, town3);

        // 6. Rectification with deadlines: h1 in 10 days, h2 in 5 days.
        await _api.Start(h1.Name, now.AddDays(10));
        await _api.Start(h2.Name, now.AddDays(5));
        var progressed = await _api.Progress(h1.Name, 50);
        Assert.Equal(50, progressed.ProgressPercent);
        town1 = Of(registered: 1, rectifying: 1, openStock: 1, openIncrement: 1, sectors: [In(Sector.Chemicals, open: 1), In(Sector.Gas, open: 1)]);
        town2 = Of(rectifying: 1, openIncrement: 1, sectors: [In(Sector.NonCoalMining, open: 1)]);
        await Expect(town1, town2, town3);

        // 7. Six days on, h2 is overdue everywhere above it, by the clock alone, and the ladder
        //    has sent its warning letter (due at the deadline).
        fixture.Advance(TimeSpan.FromDays(6));
        town2 = Of(rectifying: 1, overdue: 1, openIncrement: 1, sectors: [In(Sector.NonCoalMining, open: 1, overdue: 1)], letters: 1);
        await Expect(town1, town2, town3);

        // 8. h1 submitted, confirmed by the regulator, closed with expert and principal.
        await _api.Submit(h1.Name);
        town1 = Of(registered: 1, awaiting: 1, openStock: 1, openIncrement: 1, sectors: [In(Sector.Chemicals, open: 1), In(Sector.Gas, open: 1)]);
        await Expect(town1, town2, town3);
        await _api.Confirm(h1.Name, ConfirmingParty.Regulator);
        var closed = await _api.Close(h1.Name, [ConfirmingParty.Expert, ConfirmingParty.Principal]);
        Assert.Equal(HazardState.Closed, closed.State);
        Assert.Equal(3, closed.Confirmations.Count);
        town1 = Of(registered: 1, closed: 1, closedThisMonth: 1, openIncrement: 1, closedStock: 1,
            sectors: [In(Sector.Chemicals, closed: 1), In(Sector.Gas, open: 1)]);
        await Expect(town1, town2, town3);

        // 9. The tip turns out not to be a major hazard; h4 was entered in error.
        await _api.Withdraw(h3.Name, invalid: true);
        await _api.Withdraw(h4.Name, invalid: false);
        town1 = Of(closed: 1, withdrawn: 1, closedThisMonth: 1, closedStock: 1, sectors: [In(Sector.Chemicals, closed: 1)]);
        town3 = Of(invalid: 1);
        await Expect(town1, town2, town3);

        // 10. h2 verified late, then returned once: overdue again while rectifying.
        await _api.Submit(h2.Name);
        town2 = Of(awaiting: 1, openIncrement: 1, sectors: [In(Sector.NonCoalMining, open: 1)], letters: 1);
        await Expect(town1, town2, town3);
        await _api.Return(h2.Name);
        town2 = Of(rectifying: 1, overdue: 1, openIncrement: 1, sectors: [In(Sector.NonCoalMining, open: 1, overdue: 1)], letters: 1);
        await Expect(town1, town2, town3);

        // 11. Into July: the monthly counts reset, and h2's ladder catches up on the circular
        //     (due 22 June) and the summons (due 29 June), both fired now, in July.
        fixture.Advance(TimeSpan.FromDays(25));
        town1 = Of(closed: 1, withdrawn: 1, closedStock: 1, sectors: [In(Sector.Chemicals, closed: 1)]);
        town2 = Of(rectifying: 1, overdue: 1, openIncrement: 1, sectors: [In(Sector.NonCoalMining, open: 1, overdue: 1)], circulars: 1, summons: 1);
        await Expect(town1, town2, town3);

        // The trail tells the story of h1, each entry with its pushing system and request id.
        var trail = (await _api.Get(h1.Name)).Trail;
        Assert.Equal(
            [TrailAction.Registered, TrailAction.ReportedAgain, TrailAction.RectificationStarted, TrailAction.ProgressRecorded, TrailAction.SubmittedForVerification, TrailAction.Confirmed, TrailAction.Closed],
            trail.Select(t => t.Action));
        Assert.All(trail, t => Assert.Equal(ClusterFixture.SystemId, t.Actor));
        Assert.Equal(trail.Count, trail.Select(t => t.RequestId).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, trail.Count).Select(v => (long)v), trail.Select(t => t.Version));

        // Principal and actual controller were notified of each new hazard, once.
        var notes = (await fixture.Enterprises.ListNotificationsAsync(new ListNotificationsRequest { Parent = chem.Name })).Notifications;
        Assert.Equal(4, notes.Count);
        Assert.Equal(2, notes.Count(n => n.Hazard == h1.Name));
        Assert.Contains(notes, n => n.Hazard == h4.Name && n.RecipientRole == RecipientRole.Principal && n.RecipientName == "张主任");
        Assert.Contains(notes, n => n.Hazard == h4.Name && n.RecipientRole == RecipientRole.ActualController && n.RecipientName == "李控制");

        // The enterprise carries its own figures.
        var chemNow = await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = chem.Name });
        Assert.Equal(town1, chemNow.Figures);
    }

    private static HazardFigures Sum(HazardFigures a, HazardFigures b)
    {
        var sectors = a.BySector.Concat(b.BySector)
            .GroupBy(s => s.Sector)
            .Select(g => In(g.Key, g.Sum(s => s.Open), g.Sum(s => s.Overdue), g.Sum(s => s.Closed)))
            .ToArray();
        return Of(
            a.Registered + b.Registered, a.Rectifying + b.Rectifying, a.AwaitingVerification + b.AwaitingVerification,
            a.Closed + b.Closed, a.Withdrawn + b.Withdrawn, a.Invalid + b.Invalid, a.Overdue + b.Overdue,
            a.ClosedThisMonth + b.ClosedThisMonth, a.OpenStock + b.OpenStock, a.OpenIncrement + b.OpenIncrement,
            a.ClosedStock + b.ClosedStock, a.ClosedIncrement + b.ClosedIncrement, sectors,
            a.AtCityLevel + b.AtCityLevel, a.AtProvinceLevel + b.AtProvinceLevel,
            a.WarningLettersThisMonth + b.WarningLettersThisMonth, a.CircularsThisMonth + b.CircularsThisMonth,
            a.SummonsThisMonth + b.SummonsThisMonth, a.ExposuresThisMonth + b.ExposuresThisMonth,
            a.InvestigationsThisMonth + b.InvestigationsThisMonth, a.Exposed + b.Exposed,
            a.UnderInvestigation + b.UnderInvestigation, a.WatchListEnterprises + b.WatchListEnterprises);
    }
}
