using Google.Protobuf.WellKnownTypes;
using HazardGrid.Api.V1;
using HazardGrid.Common;
using HazardGrid.Tests.Infrastructure;
using HazardGrid.Tests.JsonApi;
using Xunit;
using Sector = HazardGrid.Api.V1.Sector;

namespace HazardGrid.Tests.Circular;

/// <summary>
/// A month of one county (薛城区, 370403) on the fake clock: hazards found, closed, left overdue so
/// the ladder climbs, one awaiting verification, one never started, and a fatal accident. The
/// circular for that month, over the real gRPC channel and over HTTP/JSON, must give the figures
/// GetRegionStatistics gives, rank the towns by their own statistics, and name the hazards and the
/// accident the test made. Its own cluster: the clock moves.
/// </summary>
public sealed partial class MonthlyCircularTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private const string County = "370403";
    private static readonly string[] s_towns = [.. TestData.TownsOf(County, 3)];
    private readonly ApiDriver _api = new(fixture);

    private static DateTimeOffset China(int year, int month, int day, int hour = 0) => new(year, month, day, hour, 0, 0, ChinaTime.Offset);

    [Fact]
    public async Task The_circular_of_a_month_equals_the_statistics_and_names_what_the_test_did()
    {
        var t0 = fixture.Now; // 2025-06-10 09:00 China time
        var (a, b, c) = (s_towns[0], s_towns[1], s_towns[2]);
        var e1 = await _api.Register(TestData.NewEnterprise(a, Sector.Chemicals));
        var e2 = await _api.Register(TestData.NewEnterprise(b, Sector.Gas));
        var e3 = await _api.Register(TestData.NewEnterprise(c, Sector.Chemicals));

        var overdueA = await Report(e1, Sector.Chemicals, China(2025, 6, 1, 8), "C-1");  // deadline June 11: overdue, escalated
        var closedA = await Report(e1, Sector.Chemicals, China(2025, 6, 3, 8), "C-2");   // closed on time on June 12
        var awaitingB = await Report(e2, Sector.Gas, China(2025, 6, 5, 8), "C-3");       // past its deadline, but awaiting verification
        var overdueB = await Report(e2, Sector.Gas, China(2025, 5, 10, 8), "C-4");       // found in May; deadline June 12: overdue, escalated
        var registeredC = await Report(e3, Sector.Chemicals, China(2025, 6, 8, 8), "C-5"); // never started: open, not overdue
        await _api.Start(overdueA, t0.AddDays(1));
        await _api.Start(closedA, t0.AddDays(10));
        await _api.Start(awaitingB, t0.AddDays(2));
        await _api.Start(overdueB, t0.AddDays(2));
        await _api.Submit(awaitingB);

        // The ladder: letters on the deadlines, circulars 7 days on, summons 14 days on (the default policy).
        await AdvanceTo(China(2025, 6, 12, 10), (overdueA, EscalationStep.WarningLetter), (overdueB, EscalationStep.WarningLetter));
        await _api.Submit(closedA);
        await _api.Close(closedA, [ConfirmingParty.Regulator, ConfirmingParty.Expert, ConfirmingParty.Principal]);
        await AdvanceTo(China(2025, 6, 19, 10), (overdueA, EscalationStep.Circular), (overdueB, EscalationStep.Circular));
        await fixture.Enterprises.ReportFatalAccidentAsync(new ReportFatalAccidentRequest
        {
            Parent = $"enterprises/{e3.CreditCode}",
            Accident = new NewFatalAccident { OccurredTime = Timestamp.FromDateTimeOffset(China(2025, 6, 15, 10)), Deaths = 2, Description = "反应釜爆炸，2人死亡" },
            RequestId = TestData.NewRequestId(),
        });
        await AdvanceTo(China(2025, 6, 26, 10), (overdueA, EscalationStep.Summons), (overdueB, EscalationStep.Summons));
        await AdvanceTo(China(2025, 7, 2, 10));

        // The figures: the very answer GetRegionStatistics gives, for the county, its city, the province and a town.
        foreach (var code in new[] { County, "3704", "37", a })
        {
            var circular = await Circular(code, "2025-06");
            Assert.Equal(await Statistics(code, 2025, 6), circular.Statistics);
            Assert.True(circular.Statistics.Complete);
        }

        var june = await Circular(County, "2025-06");
        var f = june.Statistics.Figures;
        Assert.Equal((4, 1, 4, 2), (f.Found, f.Closed, f.OpenAtEnd, f.OverdueAtEnd));   // the test's own count of June
        Assert.Equal((2, 2, 2), (f.WarningLetters, f.Circulars, f.Summons));

        // The ranking: every town of the county, each with its own statistics for June, worst first.
        Assert.Equal(TestData.Regions.ChildrenOf(County).Order(StringComparer.Ordinal), june.Ranking.Select(r => r.Name["regions/".Length..]).Order(StringComparer.Ordinal));
        foreach (var entry in june.Ranking)
        {
            var own = await fixture.Regions.GetRegionStatisticsAsync(new GetRegionStatisticsRequest { Name = entry.Name, Period = Month(2025, 6) });
            Assert.Equal(own.Figures, entry.Figures);
            Assert.Equal(own.DisplayName, entry.DisplayName);
            Assert.Equal(own.Figures.OpenAtEnd == 0 ? 0 : (double)own.Figures.OverdueAtEnd / own.Figures.OpenAtEnd, entry.OverdueShare);
        }

        // A: 1 overdue of 1 open; B: 1 of 2; C: 0 of 1 and nothing closed; every other town ties with nothing to do.
        Assert.Equal([(1, $"regions/{a}"), (2, $"regions/{b}"), (3, $"regions/{c}")], june.Ranking.Take(3).Select(r => (r.Rank, r.Name)));
        Assert.All(june.Ranking.Skip(3), r => Assert.Equal(4, r.Rank));
        Assert.Equal(
            june.Ranking.Select(r => r.Figures).Aggregate((0, 0, 0), (sum, x) => (sum.Item1 + x.Found, sum.Item2 + x.OpenAtEnd, sum.Item3 + x.OverdueAtEnd)),
            (f.Found, f.OpenAtEnd, f.OverdueAtEnd));
        Assert.Empty((await Circular(a, "2025-06")).Ranking);

        // The hazards, the steps and the accident.
        Assert.Equal([overdueA, overdueB], june.OverdueHazards.Select(h => h.Name));   // by deadline
        Assert.Equal(new[] { overdueA, overdueB }.Order(StringComparer.Ordinal), june.EscalatedHazards.Select(h => h.Name).Order(StringComparer.Ordinal));
        var first = june.OverdueHazards[0];
        Assert.Equal((e1.DisplayName, $"regions/{a}", TestData.Regions.Get(a).Name, Sector.Chemicals, HazardState.Rectifying), (first.EnterpriseDisplayName, first.Town, first.TownDisplayName, first.Sector, first.State));
        Assert.Equal(China(2025, 6, 11, 9), first.Deadline.ToDateTimeOffset());
        Assert.Equal([EscalationStep.WarningLetter, EscalationStep.Circular, EscalationStep.Summons], first.Steps.Select(s => s.Step));
        Assert.Equal(6, june.Steps.Count);
        Assert.Equal((f.WarningLetters, f.Circulars, f.Summons), (june.Steps.Count(s => s.Step == EscalationStep.WarningLetter), june.Steps.Count(s => s.Step == EscalationStep.Circular), june.Steps.Count(s => s.Step == EscalationStep.Summons)));
        Assert.True(june.Steps.Select(s => s.FireTime.ToDateTimeOffset()).SequenceEqual(june.Steps.Select(s => s.FireTime.ToDateTimeOffset()).Order()));
        var accident = Assert.Single(june.FatalAccidents);
        Assert.Equal((e3.DisplayName, $"enterprises/{e3.CreditCode}", 2, "反应釜爆炸，2人死亡"), (accident.EnterpriseDisplayName, accident.Enterprise, accident.Accident.Deaths, accident.Accident.Description));
        Assert.Equal(2, june.Deaths);

        // May had none of it: the accident and the steps belong to June only.
        var may = await Circular(County, "2025-05");
        Assert.Equal(await Statistics(County, 2025, 5), may.Statistics);
        Assert.Empty(may.FatalAccidents);
        Assert.Empty(may.Steps);

        // The running month, counted up to now, also equals the statistics.
        var july = await Circular(County, "2025-07");
        Assert.Equal(await Statistics(County, 2025, 7), july.Statistics);
        Assert.False(july.Statistics.Complete);
        Assert.Equal([overdueA, overdueB], july.OverdueHazards.Select(h => h.Name));
        Assert.Empty(july.EscalatedHazards);

        // Over HTTP/JSON, the same circular.
        using var http = new JsonApiClient(fixture.JsonAddress);
        var json = await http.Get($"/v1/regions/{County}/circulars/2025-06");
        Assert.Equal(System.Net.HttpStatusCode.OK, json.Status);
        Assert.Equal(june, json.As<MonthlyCircular>());

        // The county's June as a reviewer would open it: the HTML, and the PDF when Chromium is here.
        foreach (var format in File.Exists("/usr/bin/chromium") ? new[] { "html", "pdf" } : ["html"])
        {
            using var document = await http.Http.GetAsync($"/v1/regions/{County}/circulars/2025-06:export?format={format}");
            Assert.Equal(System.Net.HttpStatusCode.OK, document.StatusCode);
            await File.WriteAllBytesAsync(Path.Combine(ScreenshotsFolder(), $"circular-{County}-2025-06.{format}"), await document.Content.ReadAsByteArrayAsync());
        }
    }

    private async Task<string> Report(Api.V1.Enterprise enterprise, Sector sector, DateTimeOffset found, string criterion) =>
        (await _api.Report(enterprise.CreditCode, ApiDriver.Finding(ReportChannel.Inspection, sector, criterion, $"L-{criterion}", found))).Hazard.Name;

    /// <summary>Moves the clock and waits for the steps the ladder owes by then.</summary>
    private async Task AdvanceTo(DateTimeOffset at, params (string Hazard, EscalationStep Step)[] steps)
    {
        fixture.Advance(at - fixture.Now);
        foreach (var (hazard, step) in steps)
        {
            await Eventually.Until(() => _api.Get(hazard), h => h.Escalations.Any(e => e.Step == step), $"{step} on {hazard}");
        }
    }

    private async Task<MonthlyCircular> Circular(string code, string month) =>
        await fixture.Regions.GetMonthlyCircularAsync(new GetMonthlyCircularRequest { Name = $"regions/{code}", Month = month });

    private async Task<RegionStatistics> Statistics(string code, int year, int month) =>
        await fixture.Regions.GetRegionStatisticsAsync(new GetRegionStatisticsRequest { Name = $"regions/{code}", Period = Month(year, month) });

    private static Api.V1.StatisticsPeriod Month(int year, int month) => new() { Month = new YearMonth { Year = year, Month = month } };
}
