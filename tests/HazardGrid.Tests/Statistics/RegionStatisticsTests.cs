using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Common;
using HazardGrid.Tests.Infrastructure;
using Xunit;
using Sector = HazardGrid.Api.V1.Sector;

namespace HazardGrid.Tests.Statistics;

/// <summary>
/// Statistics, rankings and campaign progress over the real gRPC channel equal the test's own count
/// of what it did. One scripted month and a bit in three towns of Shanting (370406), on the fake
/// clock: hazards found, started, extended, withdrawn, marked invalid, closed on time and late,
/// left overdue so the ladder fires. Its own cluster: the province holds only these hazards.
/// </summary>
public sealed class RegionStatisticsTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private const string County = "370406";
    private static readonly string[] s_towns = [.. TestData.TownsOf(County, 3)];
    private readonly ApiDriver _api = new(fixture);

    /// <summary>What the test did to one hazard, as it knows it.</summary>
    private sealed class Done(string town, Sector sector, ReportChannel channel, DateTimeOffset found)
    {
        public string Name { get; set; } = "";
        public string Town { get; } = town;
        public Sector Sector { get; } = sector;
        public ReportChannel FirstChannel { get; } = channel;
        public DateTimeOffset Found { get; } = found;
        public DateTimeOffset? Deadline { get; set; }
        public DateTimeOffset? Closed { get; set; }
        public DateTimeOffset? Withdrawn { get; set; }
        public bool Invalid { get; set; }
        public bool Awaiting { get; set; }
        public List<(EscalationStep Step, DateTimeOffset At)> Steps { get; } = [];
    }

    private readonly List<Done> _done = [];

    private static DateTimeOffset China(int year, int month, int day, int hour = 0, int minute = 0) => new(year, month, day, hour, minute, 0, ChinaTime.Offset);

    [Fact]
    public async Task Statistics_rankings_and_campaign_progress_equal_the_tests_own_count()
    {
        var t0 = fixture.Now; // 2025-06-10 09:00 China time
        var e1 = await _api.Register(TestData.NewEnterprise(s_towns[0], Sector.Chemicals, Sector.Gas));
        var e2 = await _api.Register(TestData.NewEnterprise(s_towns[1], Sector.Chemicals));
        var e3 = await _api.Register(TestData.NewEnterprise(s_towns[2], Sector.Chemicals));

        var h1 = await Report(e1, Sector.Chemicals, ReportChannel.Inspection, China(2023, 11, 5, 10));      // stock; closed on time
        var h2 = await Report(e1, Sector.Gas, ReportChannel.SelfReport, China(2025, 5, 20, 10));            // closed late
        var h3 = await Report(e2, Sector.Chemicals, ReportChannel.VerifiedTip, China(2025, 6, 1, 8));       // left overdue: the ladder climbs
        var h4 = await Report(e2, Sector.Chemicals, ReportChannel.SelfReport, China(2025, 6, 5, 8));        // marked invalid
        var h5 = await Report(e1, Sector.Gas, ReportChannel.Inspection, China(2025, 4, 10, 8));             // withdrawn
        var h6 = await Report(e3, Sector.Chemicals, ReportChannel.ExpertDiagnosis, China(2024, 3, 1, 8));   // registered, never started
        var h7 = await Report(e3, Sector.Chemicals, ReportChannel.Inspection, China(2025, 6, 9, 8));        // awaiting verification past its deadline
        var h8 = await Report(e1, Sector.Chemicals, ReportChannel.SelfReport, China(2025, 6, 10, 8));       // deadline extended
        var h9 = await Report(e2, Sector.Chemicals, ReportChannel.Inspection, China(2022, 1, 1, 8));        // stock, open

        // The same finding as h3 through another channel lands on it: its first channel stays the tip.
        var again = await _api.Report(e2.CreditCode, ApiDriver.Finding(ReportChannel.Inspection, Sector.Chemicals, "C-3", "L-3", China(2025, 6, 2)));
        Assert.False(again.Created);

        await Start(h1, t0.AddDays(5));
        await Start(h2, t0.AddDays(1));
        await Start(h3, t0.AddDays(1));
        await Start(h7, t0.AddDays(30));
        await Start(h8, t0.AddDays(1));
        await _api.Submit(h7.Name);
        h7.Awaiting = true;
        await _api.Withdraw(h4.Name, invalid: true);
        h4.Invalid = true;
        await _api.Withdraw(h5.Name, invalid: false);
        h5.Withdrawn = t0;
        await fixture.SupervisorHazards.ExtendDeadlineAsync(new ExtendDeadlineRequest
        {
            Name = h8.Name, Deadline = Timestamp.FromDateTimeOffset(t0.AddDays(40)), Reason = "设备到货延迟", DecidedBy = "县应急局", RequestId = TestData.NewRequestId(),
        });
        h8.Deadline = t0.AddDays(40);

        // June 12: h2's and h3's deadlines have passed; their warning letters fire. h1 closes on time, h2 late.
        await AdvanceTo(China(2025, 6, 12, 9), (h2, EscalationStep.WarningLetter), (h3, EscalationStep.WarningLetter));
        await Close(h1);
        await Close(h2);

        // June 18, 09:01: h3's circular (deadline + 7 days).
        await AdvanceTo(China(2025, 6, 18, 9, 1), (h3, EscalationStep.Circular));

        // The running month: counted up to now, and equal to the live figures.
        var june = new StatisticsPeriod { Month = new YearMonth { Year = 2025, Month = 6 } };
        var running = await Statistics("37", june);
        Assert.False(running.Complete);
        Assert.Equal(fixture.Now, running.AsOf.ToDateTimeOffset());
        await ExpectStatistics(june, China(2025, 6, 1), China(2025, 7, 1));
        await Eventually.Until(
            () => _api.Region("37"),
            live => (live.Figures.Open, live.Figures.Overdue, live.Figures.ClosedThisMonth) == (running.Figures.OpenAtEnd, running.Figures.OverdueAtEnd, running.Figures.Closed),
            "the province's live figures to equal the running month's open, overdue and closed");

        // July 3, 10:00: h3's summons (due June 25) fires in July. h10 is found, started and closed the same morning.
        await AdvanceTo(China(2025, 7, 3, 10), (h3, EscalationStep.Summons));
        var h10 = await Report(e3, Sector.Chemicals, ReportChannel.Inspection, China(2025, 7, 3, 8));
        await Start(h10, fixture.Now.AddDays(7));
        await Close(h10);

        // A month (June, now complete), a quarter, a year (running), a range of days, the running July.
        await ExpectStatistics(june, China(2025, 6, 1), China(2025, 7, 1));
        await ExpectStatistics(new StatisticsPeriod { Quarter = new YearQuarter { Year = 2025, Quarter = 2 } }, China(2025, 4, 1), China(2025, 7, 1));
        await ExpectStatistics(new StatisticsPeriod { Year = 2025 }, China(2025, 1, 1), China(2026, 1, 1));
        await ExpectStatistics(
            new StatisticsPeriod { DateRange = new DateRange { StartDate = new CalendarDate { Year = 2025, Month = 6, Day = 11 }, EndDate = new CalendarDate { Year = 2025, Month = 7, Day = 2 } } },
            China(2025, 6, 11), China(2025, 7, 3));
        await ExpectStatistics(new StatisticsPeriod { Month = new YearMonth { Year = 2025, Month = 7 } }, China(2025, 7, 1), China(2025, 8, 1));
        await ExpectStatistics(new StatisticsPeriod { Month = new YearMonth { Year = 2025, Month = 4 } }, China(2025, 4, 1), China(2025, 5, 1));

        var completeJune = await Statistics(County, june);
        Assert.True(completeJune.Complete);
        Assert.Equal(China(2025, 7, 1), completeJune.AsOf.ToDateTimeOffset());
        Assert.Equal("山亭区", completeJune.DisplayName);

        // The numbers themselves for June: found h3, h7, h8 (h4 is invalid); closed h1 on time after
        // 584 days, h2 late after 22; open at the end h3, h6, h7, h8, h9, of which only h3 is overdue
        // (h7 awaits verification, h8's deadline was extended); two letters and a circular.
        var f = completeJune.Figures;
        Assert.Equal((3, 2, 1, 1, 5, 1, 2.0 / 7), (f.Found, f.Closed, f.ClosedOnTime, f.ClosedLate, f.OpenAtEnd, f.OverdueAtEnd, f.ClosureRate));
        Assert.Equal((22, 584, 2, 1, 0), (f.MedianDaysToClose, f.P90DaysToClose, f.WarningLetters, f.Circulars, f.Summons));
        Assert.Equal([(ReportChannel.SelfReport, 1), (ReportChannel.Inspection, 1), (ReportChannel.VerifiedTip, 0), (ReportChannel.ExpertDiagnosis, 0)],
            completeJune.ByChannel.Select(c => (c.Channel, c.Figures.Closed)));

        await ExpectRankings();
        await ExpectCampaignProgress();
    }

    [Fact]
    public async Task Bad_periods_and_a_town_ranked_are_refused_naming_the_field()
    {
        async Task Refused(StatisticsPeriod? period, string field)
        {
            var (code, named, _) = await ApiDriver.Refusal(() => fixture.Regions.GetRegionStatisticsAsync(new GetRegionStatisticsRequest { Name = "regions/37", Period = period }).ResponseAsync);
            Assert.Equal((StatusCode.InvalidArgument, field), (code, named));
        }

        await Refused(null, "period");
        await Refused(new StatisticsPeriod { Month = new YearMonth { Year = 2025, Month = 13 } }, "period.month.month");
        await Refused(new StatisticsPeriod { Month = new YearMonth { Month = 3 } }, "period.month.year");
        await Refused(new StatisticsPeriod { Quarter = new YearQuarter { Year = 2025, Quarter = 5 } }, "period.quarter.quarter");
        await Refused(new StatisticsPeriod { Year = 1999 }, "period.year");
        await Refused(new StatisticsPeriod { Year = 2031 }, "period");   // starts after now
        await Refused(new StatisticsPeriod { DateRange = new DateRange { StartDate = Day(2025, 3, 1), EndDate = Day(2025, 2, 1) } }, "period.date_range.end_date");
        await Refused(new StatisticsPeriod { DateRange = new DateRange { StartDate = Day(1999, 12, 31), EndDate = Day(2000, 2, 1) } }, "period.date_range.start_date.year");
        await Refused(new StatisticsPeriod { DateRange = new DateRange { StartDate = Day(2020, 1, 1), EndDate = Day(2025, 2, 1) } }, "period.date_range.end_date");
        await Refused(new StatisticsPeriod { DateRange = new DateRange { StartDate = Day(2025, 2, 30), EndDate = Day(2025, 3, 1) } }, "period.date_range.start_date.day");
        await Refused(new StatisticsPeriod { DateRange = new DateRange { EndDate = Day(2025, 3, 1) } }, "period.date_range.start_date");

        var town = await ApiDriver.Refusal(() => fixture.Regions.ListRegionRankingAsync(new ListRegionRankingRequest { Parent = $"regions/{s_towns[0]}", Key = RankingKey.Open }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "parent"), (town.Code, town.Field));
        var noKey = await ApiDriver.Refusal(() => fixture.Regions.ListRegionRankingAsync(new ListRegionRankingRequest { Parent = "regions/37" }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "key"), (noKey.Code, noKey.Field));
        var unknown = await ApiDriver.Refusal(() => fixture.Regions.GetCampaignProgressAsync(new GetCampaignProgressRequest { Name = "regions/99" }).ResponseAsync);
        Assert.Equal((StatusCode.NotFound, "name"), (unknown.Code, unknown.Field));
    }

    private static CalendarDate Day(int year, int month, int day) => new() { Year = year, Month = month, Day = day };

    private async Task<Done> Report(Api.V1.Enterprise enterprise, Sector sector, ReportChannel channel, DateTimeOffset found)
    {
        var done = new Done(enterprise.Town, sector, channel, found);
        var n = _done.Count + 1;
        done.Name = (await _api.Report(enterprise.CreditCode, ApiDriver.Finding(channel, sector, $"C-{n}", $"L-{n}", found))).Hazard.Name;
        _done.Add(done);
        return done;
    }

    private async Task Start(Done hazard, DateTimeOffset deadline)
    {
        await _api.Start(hazard.Name, deadline);
        hazard.Deadline = deadline;
    }

    private async Task Close(Done hazard)
    {
        await _api.Submit(hazard.Name);
        await _api.Close(hazard.Name, [ConfirmingParty.Regulator, ConfirmingParty.Expert, ConfirmingParty.Principal]);
        hazard.Closed = fixture.Now;
    }

    /// <summary>Moves the clock and waits for the steps the ladder owes by then; they fire at the new time.</summary>
    private async Task AdvanceTo(DateTimeOffset at, params (Done Hazard, EscalationStep Step)[] steps)
    {
        fixture.Advance(at - fixture.Now);
        foreach (var (hazard, step) in steps)
        {
            await Eventually.Until(() => _api.Get(hazard.Name), h => h.Escalations.Any(e => e.Step == step), $"{step} on {hazard.Name}");
            hazard.Steps.Add((step, at));
        }
    }

    private async Task<RegionStatistics> Statistics(string code, StatisticsPeriod period) =>
        await fixture.Regions.GetRegionStatisticsAsync(new GetRegionStatisticsRequest { Name = $"regions/{code}", Period = period });

    /// <summary>Every town of the script, the county, the city and the province show the test's own count.</summary>
    private async Task ExpectStatistics(StatisticsPeriod period, DateTimeOffset start, DateTimeOffset end)
    {
        var until = end < fixture.Now ? end : fixture.Now;
        foreach (var (code, hazards) in s_towns.Select(t => (t, _done.Where(h => h.Town == t).ToList())).Append((County, _done)).Append(("3704", _done)).Append(("37", _done)))
        {
            var got = await Statistics(code, period);
            Assert.Equal(start, got.StartTime.ToDateTimeOffset());
            Assert.Equal(end, got.EndTime.ToDateTimeOffset());
            Assert.Equal(until, got.AsOf.ToDateTimeOffset());
            Assert.Equal(period, got.Period);
            Assert.Equal(Expected(hazards, start, until), got.Figures);
            Assert.Equal(
                hazards.GroupBy(h => h.Sector).Select(g => (g.Key, Expected(g, start, until))).Where(s => !IsZero(s.Item2)).OrderBy(s => s.Key),
                got.BySector.Select(s => (s.Sector, s.Figures)));
            Assert.Equal(
                hazards.GroupBy(h => h.FirstChannel).Select(g => (g.Key, Expected(g, start, until))).Where(s => !IsZero(s.Item2)).OrderBy(s => s.Key),
                got.ByChannel.Select(s => (s.Channel, s.Figures)));
        }
    }

    private static bool IsZero(PeriodFigures f) =>
        f.Found + f.Closed + f.OpenAtEnd + f.OverdueAtEnd + f.WarningLetters + f.Circulars + f.Summons + f.Exposures + f.Investigations == 0;

    /// <summary>The test's own count, by the definitions in the .proto.</summary>
    private static PeriodFigures Expected(IEnumerable<Done> all, DateTimeOffset start, DateTimeOffset until)
    {
        bool In(DateTimeOffset t) => start <= t && t < until;
        var list = all.ToList();
        var valid = list.Where(h => !h.Invalid).ToList();
        var closed = valid.Where(h => h.Closed is { } c && In(c)).ToList();
        var open = valid.Where(h => h.Found < until && !(h.Closed < until) && !(h.Withdrawn < until)).ToList();
        var days = closed.Select(h => (int)Math.Floor((h.Closed!.Value - h.Found).TotalDays)).Order().ToList();
        var steps = list.SelectMany(h => h.Steps).Where(s => In(s.At)).ToList();
        var f = new PeriodFigures
        {
            Found = valid.Count(h => In(h.Found)),
            Closed = closed.Count,
            ClosedOnTime = closed.Count(h => h.Closed <= h.Deadline),
            ClosedLate = closed.Count(h => h.Closed > h.Deadline),
            OpenAtEnd = open.Count,
            OverdueAtEnd = open.Count(h => h.Deadline < until && !h.Awaiting),
            ClosureRate = closed.Count + open.Count == 0 ? 1 : (double)closed.Count / (closed.Count + open.Count),
            MedianDaysToClose = days.Count == 0 ? 0 : days[((days.Count + 1) / 2) - 1],
            P90DaysToClose = days.Count == 0 ? 0 : days[(((9 * days.Count) + 9) / 10) - 1],
            WarningLetters = steps.Count(s => s.Step == EscalationStep.WarningLetter),
            Circulars = steps.Count(s => s.Step == EscalationStep.Circular),
            Summons = steps.Count(s => s.Step == EscalationStep.Summons),
            Exposures = steps.Count(s => s.Step == EscalationStep.PublicExposure),
            Investigations = steps.Count(s => s.Step == EscalationStep.AccidentInvestigation),
        };
        f.DaysToClose.AddRange(days.GroupBy(d => d).Select(g => new DaysToCloseCount { Days = g.Key, Count = g.Count() }));
        return f;
    }

    /// <summary>Shanting's towns ranked, from the live figures: the script's three, and the rest tied at nothing.</summary>
    private async Task ExpectRankings()
    {
        var now = fixture.Now;
        var towns = TestData.Regions.ChildrenOf(County);
        (int Open, int Overdue, int ClosedThisMonth) Live(string town)
        {
            var mine = _done.Where(h => h.Town == town && !h.Invalid).ToList();
            var open = mine.Where(h => h.Closed is null && h.Withdrawn is null).ToList();
            return (open.Count, open.Count(h => h.Deadline < now && !h.Awaiting), mine.Count(h => h.Closed is { } c && ChinaTime.SameMonth(c, now)));
        }

        foreach (var (key, bestFirst) in new[] { (RankingKey.OverdueShare, false), (RankingKey.ClosureRate, false), (RankingKey.Open, false), (RankingKey.Open, true) })
        {
            var counts = towns.Select(t => (Town: t, Figures: Live(t))).ToList();
            (long Numerator, long Denominator) Value((int Open, int Overdue, int ClosedThisMonth) f) => key switch
            {
                RankingKey.OverdueShare => f.Open == 0 ? (0, 1) : (f.Overdue, f.Open),
                RankingKey.ClosureRate => f.ClosedThisMonth + f.Open == 0 ? (1, 1) : (f.ClosedThisMonth, f.ClosedThisMonth + f.Open),
                _ => (f.Open, 1),
            };
            var worstIsHigh = key != RankingKey.ClosureRate;
            var expected = counts
                .OrderBy(c => (double)Value(c.Figures).Numerator / Value(c.Figures).Denominator * (worstIsHigh != bestFirst ? -1 : 1))
                .ThenBy(c => c.Town, StringComparer.Ordinal)
                .Select(c => (Name: $"regions/{c.Town}", Value: (double)Value(c.Figures).Numerator / Value(c.Figures).Denominator, c.Figures.Open, c.Figures.Overdue, c.Figures.ClosedThisMonth))
                .ToList();
            var ranks = expected.Select((e, i) => 1 + expected.Take(i).Count(x => x.Value != e.Value)).ToList();

            var got = await Eventually.Until(
                () => fixture.Regions.ListRegionRankingAsync(new ListRegionRankingRequest { Parent = $"regions/{County}", Key = key, BestFirst = bestFirst }).ResponseAsync,
                r => r.Entries.Select(e => (e.Name, e.Value, e.Open, e.Overdue, e.ClosedThisMonth)).SequenceEqual(expected),
                $"the ranking by {key}{(bestFirst ? ", best first" : "")}");
            Assert.Equal(ranks, got.Entries.Select(e => e.Rank));
            Assert.Equal(towns.Count, got.Entries.Count);
            Assert.Contains(got.Entries, e => e.DisplayName == "山城街道");
        }

        // Ties: the towns with nothing are all ranked together, after the script's three by open count.
        var byOpen = await fixture.Regions.ListRegionRankingAsync(new ListRegionRankingRequest { Parent = $"regions/{County}", Key = RankingKey.Open });
        Assert.Equal(towns.Count - 3, byOpen.Entries.Count(e => e.Rank == 4));
    }

    /// <summary>The three targets, for the county and each of its towns, by the test's own count.</summary>
    private async Task ExpectCampaignProgress()
    {
        var now = fixture.Now;                      // 2025-07-03 10:00
        var campaignStart = ChinaTime.StockCutoff;  // the default configuration
        var got = await fixture.Regions.GetCampaignProgressAsync(new GetCampaignProgressRequest { Name = $"regions/{County}", IncludeChildren = true });
        var quarter = await fixture.Regions.GetCampaignProgressAsync(new GetCampaignProgressRequest { Name = "regions/37", IncrementPeriod = PeriodKind.Quarter });
        Assert.Empty(quarter.Children);

        void Check(Api.V1.CampaignProgress progress, IReadOnlyList<Done> hazards, DateTimeOffset currentStart, DateTimeOffset previousStart, PeriodKind kind)
        {
            var valid = hazards.Where(h => !h.Invalid).ToList();
            var stock = valid.Where(h => h.Withdrawn is null && h.Found < campaignStart && !(h.Closed < campaignStart)).ToList();
            var closed = stock.Count(h => h.Closed is not null);
            var current = valid.Count(h => currentStart <= h.Found && h.Found < now);
            var previous = valid.Count(h => previousStart <= h.Found && h.Found < currentStart);
            var overdue = valid.Count(h => h.Closed is null && h.Withdrawn is null && h.Deadline < now && !h.Awaiting);
            Assert.Equal(campaignStart, progress.CampaignStart.ToDateTimeOffset());
            Assert.Equal(now, progress.AsOf.ToDateTimeOffset());
            Assert.Equal(
                new StockClearance { Stock = stock.Count, Closed = closed, Open = stock.Count - closed, ClearedShare = stock.Count == 0 ? 1 : (double)closed / stock.Count, Cleared = stock.Count == closed },
                progress.Stock);
            Assert.Equal(
                new IncrementCurb
                {
                    PeriodKind = kind,
                    CurrentStartTime = Timestamp.FromDateTimeOffset(currentStart),
                    CurrentEndTime = progress.Increment.CurrentEndTime,
                    PreviousStartTime = Timestamp.FromDateTimeOffset(previousStart),
                    FoundCurrent = current,
                    FoundPrevious = previous,
                    Change = current - previous,
                },
                progress.Increment);
            Assert.Equal(new DynamicZero { Overdue = overdue, Achieved = overdue == 0 }, progress.DynamicZero);
        }

        Check(got, _done, China(2025, 7, 1), China(2025, 6, 1), PeriodKind.Month);
        Assert.Equal(China(2025, 8, 1), got.Increment.CurrentEndTime.ToDateTimeOffset());
        Assert.Equal(TestData.Regions.ChildrenOf(County).Select(t => $"regions/{t}"), got.Children.Select(c => c.Name));
        foreach (var child in got.Children)
        {
            Check(child, [.. _done.Where(h => $"regions/{h.Town}" == child.Name)], China(2025, 7, 1), China(2025, 6, 1), PeriodKind.Month);
        }

        Check(quarter, _done, China(2025, 7, 1), China(2025, 4, 1), PeriodKind.Quarter);

        // The numbers themselves, so that model and service cannot agree on a wrong count: the stock is
        // h1 (closed) and h9; July has h10, June h3, h7 and h8 (h4 is invalid); h3 alone is overdue.
        Assert.Equal((2, 1, 1), (got.Stock.Stock, got.Stock.Closed, got.Stock.Open));
        Assert.Equal((1, 3, -2), (got.Increment.FoundCurrent, got.Increment.FoundPrevious, got.Increment.Change));
        Assert.Equal((1, false), (got.DynamicZero.Overdue, got.DynamicZero.Achieved));
    }
}
