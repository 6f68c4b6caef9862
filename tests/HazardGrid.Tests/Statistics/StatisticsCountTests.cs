using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Escalations;
using HazardGrid.Hazards;
using HazardGrid.Regions;
using HazardGrid.Rollups;
using HazardGrid.Statistics;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Statistics;

/// <summary>The counting class on hand-made facts: each definition, exact merging, percentiles, periods, rankings.</summary>
public sealed class StatisticsCountTests
{
    private static readonly StatisticsPeriod s_june = StatisticsPeriod.Month(2025, 6, "period");
    private static readonly DateTimeOffset s_endOfJune = s_june.End;

    private static DateTimeOffset June(int day, int hour = 12) => new(2025, 6, day, hour, 0, 0, ChinaTime.Offset);

    private static HazardFacts Fact(
        HazardStatus status, DateTimeOffset found, DateTimeOffset? deadline = null, DateTimeOffset? closed = null, DateTimeOffset? updated = null,
        Sector sector = Sector.Chemicals, ReportChannel[]? channels = null, EscalationRecord[]? steps = null) =>
        new(Guid.NewGuid().ToString(), 1, "914403001922038216", "370406001", sector, status, found, deadline, closed, SupervisionLevel.County,
            [.. steps ?? []], [.. channels ?? [ReportChannel.SelfReport]], found, updated ?? closed ?? found);

    [Fact]
    public void Each_figure_counts_what_its_definition_says()
    {
        var facts = new[]
        {
            Fact(HazardStatus.Closed, June(1), deadline: June(10), closed: June(10)),                    // closed on time (at the deadline), 9 days
            Fact(HazardStatus.Closed, new(2025, 5, 1, 12, 0, 0, ChinaTime.Offset), deadline: June(2), closed: June(3, 13)),  // closed late, 33 days
            Fact(HazardStatus.Closed, June(2), deadline: June(20), closed: new(2025, 7, 1, 0, 0, 0, ChinaTime.Offset)),       // closed at the end: open (and overdue) at it
            Fact(HazardStatus.Rectifying, June(3), deadline: June(29)),                                   // overdue at the end
            Fact(HazardStatus.Rectifying, June(4), deadline: new(2025, 8, 1, 0, 0, 0, ChinaTime.Offset)), // extended past the end: not overdue
            Fact(HazardStatus.AwaitingVerification, June(5), deadline: June(6)),                          // awaiting now: not overdue
            Fact(HazardStatus.Withdrawn, June(6), updated: June(7)),                                      // found; withdrawn before the end
            Fact(HazardStatus.Withdrawn, June(8), updated: new(2025, 7, 2, 0, 0, 0, ChinaTime.Offset)),   // withdrawn after the end: open at it
            Fact(HazardStatus.Invalid, June(9), steps: [new(EscalationStep.WarningLetter, June(9), June(9), "l")]), // counts in steps only
            Fact(HazardStatus.Registered, new(2025, 7, 5, 0, 0, 0, ChinaTime.Offset)),                     // found after the end: nothing
        };

        var total = StatisticsCount.Count(facts, s_june, s_endOfJune).Total;

        Assert.Equal(new PeriodCounts(Found: 7, Closed: 2, ClosedOnTime: 1, ClosedLate: 1, OpenAtEnd: 5, OverdueAtEnd: 2, WarningLetters: 1, 0, 0, 0, 0), total.Counts);
        Assert.Equal([new DaysCount(9, 1), new DaysCount(33, 1)], total.DaysToClose.Buckets);
        Assert.Equal(2.0 / 7, total.ClosureRate);
    }

    [Fact]
    public void A_running_period_counted_up_to_now_agrees_with_the_live_figures()
    {
        var now = June(20);
        var random = new Random(11);
        var facts = Enumerable.Range(0, 300).Select(_ => RandomFact(random, now)).ToList();

        var stats = StatisticsCount.Count(facts, s_june, s_june.CountedUntil(now)).Total.Counts;
        var live = HazardFigures.Count(facts, now);

        Assert.Equal((live.Open, live.Overdue, live.ClosedThisMonth), (stats.OpenAtEnd, stats.OverdueAtEnd, stats.Closed));
        Assert.Equal(
            (live.Escalations.WarningLettersThisMonth, live.Escalations.CircularsThisMonth, live.Escalations.SummonsThisMonth),
            (stats.WarningLetters, stats.Circulars, stats.Summons));
    }

    [Fact]
    public void Statistics_of_parts_add_up_exactly_to_those_of_the_whole_medians_included()
    {
        var now = June(28);
        var random = new Random(5);
        var facts = Enumerable.Range(0, 500).Select(_ => RandomFact(random, now)).ToList();
        var year = StatisticsPeriod.Year(2025, "period");

        var whole = StatisticsCount.Count(facts, year, now);
        var parts = RegionStatistics.Sum(facts.Chunk(23).Select(chunk => StatisticsCount.Count(chunk, year, now)));

        Assert.Equal(whole, parts);

        // The merged median is the median of every closed hazard, counted here from the list itself.
        var days = facts.Where(f => f.Status == HazardStatus.Closed && year.Contains(f.ClosedAt!.Value))
            .Select(f => (int)Math.Floor((f.ClosedAt!.Value - f.FoundAt).TotalDays)).Order().ToList();
        Assert.NotEmpty(days);
        Assert.Equal(days[((days.Count + 1) / 2) - 1], parts.Total.MedianDaysToClose);
        Assert.Equal(days[((9 * days.Count) + 9) / 10 - 1], parts.Total.P90DaysToClose);

        // By sector and by channel, every count adds up to the total.
        Assert.Equal(whole.Total.Counts, whole.BySector.Select(s => s.Figures.Counts).Aggregate(Additive<PeriodCounts>.Zero, Additive<PeriodCounts>.Add));
        Assert.Equal(whole.Total.Counts, whole.ByChannel.Select(c => c.Figures.Counts).Aggregate(Additive<PeriodCounts>.Zero, Additive<PeriodCounts>.Add));
    }

    [Fact]
    public void A_count_stays_the_same_for_every_end_up_to_the_next_instant_of_a_hazard_and_no_further()
    {
        // A town keeps its count while calls' ends stay within SameUntil: check that promise
        // against counts made afresh, at ends inside and just past it.
        var random = new Random(11);
        var now = June(28);
        var facts = Enumerable.Range(0, 300).Select(_ => RandomFact(random, now)).ToList();
        var year = StatisticsPeriod.Year(2025, "period");
        var changedPast = 0;
        for (var i = 0; i < 200; i++)
        {
            var until = year.Start.AddMinutes(random.Next(0, (int)(now - year.Start).TotalMinutes));
            var through = StatisticsCount.SameUntil(facts, until);
            Assert.True(through >= until);
            var counted = StatisticsCount.Count(facts, year, until);
            Assert.Equal(counted, StatisticsCount.Count(facts, year, through));
            Assert.Equal(counted, StatisticsCount.Count(facts, year, until + ((through - until) / 2)));
            if (through < now && StatisticsCount.Count(facts, year, through.AddTicks(1)) != counted)
            {
                changedPast++;
            }
        }

        Assert.True(changedPast > 100, $"just past the instant the count usually changes ({changedPast} of 200)");
    }

    [Theory]
    [InlineData(new int[0], 0, 0)]
    [InlineData(new[] { 5 }, 5, 5)]
    [InlineData(new[] { 1, 2, 3, 4 }, 2, 4)]
    [InlineData(new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 5, 9)]
    [InlineData(new[] { 0, 0, 0, 100 }, 0, 100)]
    public void Percentiles_are_nearest_rank_on_whole_days(int[] days, int median, int p90)
    {
        var histogram = ClosureDays.Of(days);
        Assert.Equal((median, p90), (histogram.Percentile(50), histogram.Percentile(90)));

        // Split anywhere and merged, the same.
        var merged = ClosureDays.Of(days.Where((_, i) => i % 2 == 0)).Add(ClosureDays.Of(days.Where((_, i) => i % 2 == 1)));
        Assert.Equal(histogram, merged);
    }

    [Fact]
    public void Periods_are_China_calendar_days_and_bad_ones_name_their_field()
    {
        Assert.Equal(new DateTimeOffset(2025, 3, 31, 16, 0, 0, TimeSpan.Zero), StatisticsPeriod.Quarter(2025, 2, "p").Start);
        Assert.Equal(new DateTimeOffset(2025, 7, 1, 0, 0, 0, ChinaTime.Offset), StatisticsPeriod.Quarter(2025, 2, "p").End);
        Assert.Equal(StatisticsPeriod.Year(2024, "p"), StatisticsPeriod.Dates(new(2024, 1, 1), new(2024, 12, 31), "p"));

        Assert.Equal("p.month.month", Refused(() => StatisticsPeriod.Month(2025, 13, "p.month")));
        Assert.Equal("p.quarter.quarter", Refused(() => StatisticsPeriod.Quarter(2025, 0, "p.quarter")));
        Assert.Equal("p.year", Refused(() => StatisticsPeriod.Year(1999, "p.year")));
        Assert.Equal("p.end_date", Refused(() => StatisticsPeriod.Dates(new(2025, 2, 1), new(2025, 1, 31), "p")));
        Assert.Equal("p.end_date", Refused(() => StatisticsPeriod.Dates(new(2020, 1, 1), new(2025, 1, 2), "p")));
        Assert.Equal("d.day", Refused(() => StatisticsPeriod.Date(2025, 2, 29, "d")));
        StatisticsPeriod.Dates(new(2020, 1, 1), new(2024, 12, 31), "p"); // five years exactly
    }

    [Fact]
    public void Campaign_stock_is_what_was_open_at_the_start_and_is_not_withdrawn()
    {
        var start = ChinaTime.StockCutoff;
        var before = start.AddDays(-100);
        var now = June(20);
        var facts = new[]
        {
            Fact(HazardStatus.Closed, before, closed: June(1)),          // stock, closed
            Fact(HazardStatus.Rectifying, before, deadline: June(10)),   // stock, open, overdue now
            Fact(HazardStatus.Withdrawn, before, updated: June(2)),      // not stock
            Fact(HazardStatus.Invalid, before),                          // not stock
            Fact(HazardStatus.Registered, June(3)),                      // increment, this month
            Fact(HazardStatus.Registered, new(2025, 5, 31, 23, 0, 0, ChinaTime.Offset)), // last month
        };

        var figures = CampaignFigures.Count(facts, CampaignQuery.At(start, PeriodKind.Month, now));

        Assert.Equal(new CampaignFigures(Stock: 2, StockClosed: 1, StockOpen: 1, FoundInCurrent: 1, FoundInPrevious: 1, OverdueNow: 1), figures);
        Assert.Equal(0.5, figures.StockClearedShare);
    }

    [Fact]
    public void A_ranking_gives_equal_values_equal_ranks_and_puts_the_worst_first()
    {
        var parent = RegionCatalog.Shandong.Get("370406");
        var towns = TestData.TownsOf("370406", 5).Select(RegionCatalog.Shandong.Get).ToList();
        HazardFigures Open(int registered, int overdue, int closedThisMonth) =>
            HazardFigures.Zero with { Registered = registered - overdue, Rectifying = overdue, Overdue = overdue, ClosedThisMonth = closedThisMonth };
        var children = new[]
        {
            (towns[0], Open(4, 1, 0)),   // share 1/4
            (towns[1], Open(2, 1, 2)),   // share 1/2
            (towns[2], Open(8, 2, 0)),   // share 1/4 (equal to towns[0] as a fraction)
            (towns[3], Open(0, 0, 0)),   // share 0, rate 1
            (towns[4], Open(2, 1, 6)),   // share 1/2
        };

        var byShare = RegionRanking.Rank(parent, children, RankingKey.OverdueShare, bestFirst: false, June(1));
        Assert.Equal(
            [(towns[1].Code, 1), (towns[4].Code, 1), (towns[0].Code, 3), (towns[2].Code, 3), (towns[3].Code, 5)],
            byShare.Entries.Select(e => (e.Region.Code, e.Rank)));

        var byRate = RegionRanking.Rank(parent, children, RankingKey.ClosureRate, bestFirst: false, June(1));
        Assert.Equal([towns[0].Code, towns[2].Code, towns[1].Code, towns[4].Code, towns[3].Code], byRate.Entries.Select(e => e.Region.Code));
        Assert.Equal([1, 1, 3, 4, 5], byRate.Entries.Select(e => e.Rank));
        Assert.Equal([0, 0, 0.5, 0.75, 1], byRate.Entries.Select(e => e.Value));

        var bestByOpen = RegionRanking.Rank(parent, children, RankingKey.Open, bestFirst: true, June(1));
        Assert.Equal([(towns[3].Code, 1), (towns[1].Code, 2), (towns[4].Code, 2), (towns[0].Code, 4), (towns[2].Code, 5)], bestByOpen.Entries.Select(e => (e.Region.Code, e.Rank)));
    }

    private static string Refused(Action call) => Assert.Throws<DomainException>(call).Field;

    private static HazardFacts RandomFact(Random random, DateTimeOffset now)
    {
        var found = now.AddHours(-random.Next(1, 24 * 400));
        var status = (HazardStatus)random.Next(1, 7);
        var deadline = status == HazardStatus.Registered ? (DateTimeOffset?)null : found.AddDays(random.Next(1, 120));
        var ended = found.AddHours(random.Next(0, (int)(now - found).TotalHours));
        var steps = deadline is { } d && d < now && random.Next(2) == 0
            ? new[] { new EscalationRecord(EscalationStep.WarningLetter, d, d, "l"), new EscalationRecord(EscalationStep.Circular, d.AddDays(7), d.AddDays(7), "l") }.Where(e => e.FiredAt < now).ToArray()
            : [];
        return Fact(
            status, found, deadline,
            closed: status == HazardStatus.Closed ? ended : null,
            updated: status is HazardStatus.Withdrawn or HazardStatus.Invalid ? ended : null,
            sector: (Sector)random.Next(1, 15),
            channels: [(ReportChannel)random.Next(1, 5)],
            steps: steps);
    }
}
