using System.Collections.Immutable;
using HazardGrid.Escalations;
using HazardGrid.Regions;
using HazardGrid.Rollups;
using HazardGrid.Statistics;

namespace HazardGrid.Circulars;

/// <summary>
/// A region's monthly circular (月通报, 001 §三(四)): the month's statistics as
/// <see cref="IRegionGrain.GetStatistics"/> answers them, the children ranked by their statistics
/// for the same month and instant, and the items named one by one. Assembled where the calls are
/// made (the gateway); never stored or sent between grains.
/// </summary>
public sealed record MonthlyCircular(
    RegionStatisticsReport Statistics,
    ImmutableArray<CircularRank> Children,
    ImmutableArray<HazardFacts> OverdueHazards,
    ImmutableArray<HazardFacts> EscalatedHazards,
    ImmutableArray<CircularStep> Steps,
    ImmutableArray<CircularAccident> FatalAccidents)
{
    public Region Region => Statistics.Region;

    public StatisticsPeriod Month => Statistics.Period;

    /// <summary>Puts the pieces in the circular's order: overdue hazards by deadline, escalated ones
    /// by their latest step in the month, steps and accidents by time.</summary>
    public static MonthlyCircular Assemble(RegionStatisticsReport statistics, IEnumerable<(Region Region, RegionStatistics Statistics)> children, CircularItems items)
    {
        var (start, until) = (statistics.Period.Start, statistics.Until);
        var steps = items.Hazards
            .Where(h => !h.Escalations.IsDefault)
            .SelectMany(h => h.Escalations.Where(e => e.Step.IsSanction() && start <= e.FiredAt && e.FiredAt < until).Select(e => new CircularStep(h, e)))
            .OrderBy(s => s.Step.FiredAt).ThenBy(s => s.Hazard.HazardId, StringComparer.Ordinal).ThenBy(s => s.Step.Step)
            .ToImmutableArray();
        return new(
            statistics,
            CircularRank.Of(children.Select(c => (c.Region, c.Statistics.Total))),
            [.. items.Hazards.Where(h => StatisticsCount.IsOverdueAt(h, until)).OrderBy(h => h.Deadline).ThenBy(h => h.HazardId, StringComparer.Ordinal)],
            [.. items.Hazards.Where(h => CircularItems.FiredIn(h, start, until))
                .OrderByDescending(h => h.Escalations.Where(e => e.Step.IsSanction() && e.FiredAt < until).Max(e => e.FiredAt)).ThenBy(h => h.HazardId, StringComparer.Ordinal)],
            steps,
            [.. items.FatalAccidents.OrderBy(a => a.Accident.OccurredAt).ThenBy(a => a.Accident.Id, StringComparer.Ordinal)]);
    }
}

/// <summary>A ladder step fired in the month, with the hazard it fired on.</summary>
public sealed record CircularStep(HazardFacts Hazard, EscalationRecord Step);

/// <summary>A child region's place in the circular's ranking and its statistics for the month.</summary>
public sealed record CircularRank(Region Region, int Rank, PeriodFigures Figures)
{
    /// <summary>Overdue at the month's end ÷ open at its end; 0 with nothing open.</summary>
    public double OverdueShare => Figures.Counts.OpenAtEnd == 0 ? 0 : (double)Figures.Counts.OverdueAtEnd / Figures.Counts.OpenAtEnd;

    /// <summary>
    /// Worst first: the highest overdue share, then the lowest closure rate, then by division code.
    /// Both ratios are compared exactly (cross-multiplied), so two children with equal counts
    /// share a rank (1, 2, 2, 4) however the doubles round.
    /// </summary>
    public static ImmutableArray<CircularRank> Of(IEnumerable<(Region Region, PeriodFigures Figures)> children)
    {
        var ordered = children.Order(Comparer<(Region Region, PeriodFigures Figures)>.Create((a, b) =>
        {
            var worse = CompareWorse(a.Figures, b.Figures);
            return worse != 0 ? worse : string.CompareOrdinal(a.Region.Code, b.Region.Code);
        })).ToList();

        var ranks = ImmutableArray.CreateBuilder<CircularRank>(ordered.Count);
        for (var i = 0; i < ordered.Count; i++)
        {
            var tied = i > 0 && CompareWorse(ordered[i - 1].Figures, ordered[i].Figures) == 0;
            ranks.Add(new CircularRank(ordered[i].Region, tied ? ranks[i - 1].Rank : i + 1, ordered[i].Figures));
        }

        return ranks.MoveToImmutable();
    }

    /// <summary>Negative when <paramref name="a"/> is worse (ranks before <paramref name="b"/>).</summary>
    private static int CompareWorse(PeriodFigures a, PeriodFigures b)
    {
        var share = Compare(OverdueShareOf(b), OverdueShareOf(a)); // higher share is worse
        return share != 0 ? share : Compare(ClosureRateOf(a), ClosureRateOf(b)); // lower rate is worse
    }

    private static (long Numerator, long Denominator) OverdueShareOf(PeriodFigures f) =>
        f.Counts.OpenAtEnd == 0 ? (0, 1) : (f.Counts.OverdueAtEnd, f.Counts.OpenAtEnd);

    // As PeriodFigures.ClosureRate: closed ÷ (closed + open at the end), 1 with neither.
    private static (long Numerator, long Denominator) ClosureRateOf(PeriodFigures f) =>
        f.Counts.Closed + f.Counts.OpenAtEnd == 0 ? (1, 1) : (f.Counts.Closed, f.Counts.Closed + f.Counts.OpenAtEnd);

    private static int Compare((long Numerator, long Denominator) x, (long Numerator, long Denominator) y) =>
        (x.Numerator * y.Denominator).CompareTo(y.Numerator * x.Denominator);
}
