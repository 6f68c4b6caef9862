using System.Collections.Immutable;
using HazardGrid.Accidents;
using HazardGrid.Escalations;
using HazardGrid.Rollups;
using HazardGrid.Statistics;

namespace HazardGrid.Circulars;

/// <summary>
/// What a monthly circular (月通报) names one by one, gathered from the towns' ledgers for
/// <see cref="IRegionGrain.ListCircularItems"/>: the hazards overdue at the month's end or with a
/// ladder step fired in the month (one entry each, even when both), and the fatal accidents that
/// occurred in the month. "Overdue at the end" is <see cref="StatisticsCount.IsOverdueAt"/>, the
/// statistics' own definition, so the list has as many overdue hazards as the figures count.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.CircularItems")]
public sealed record CircularItems(ImmutableArray<HazardFacts> Hazards, ImmutableArray<CircularAccident> FatalAccidents)
{
    public static CircularItems None { get; } = new([], []);

    /// <summary>The items of one town's ledger for a month counted up to <paramref name="until"/>
    /// (its end, or now while it runs). <paramref name="enterpriseName"/> names an accident's enterprise from the town's directory
    /// (an accident record keeps only the credit code).</summary>
    public static CircularItems Select(
        IEnumerable<HazardFacts> hazards, IEnumerable<FatalAccident> accidents, Func<string, string?> enterpriseName, StatisticsPeriod month, DateTimeOffset until) => new(
        [.. hazards.Where(h => StatisticsCount.IsOverdueAt(h, until) || FiredIn(h, month.Start, until))],
        [.. accidents.Where(a => month.Start <= a.OccurredAt && a.OccurredAt < until).Select(a => new CircularAccident(a, enterpriseName(a.CreditCode)))]);

    public static CircularItems Sum(IEnumerable<CircularItems> parts)
    {
        var list = parts.ToList();
        return new([.. list.SelectMany(p => p.Hazards)], [.. list.SelectMany(p => p.FatalAccidents)]);
    }

    /// <summary>A step fired in [start, until): the window the statistics count ladder steps in. A
    /// deadline warning is no sanction, so it does not put a hazard in the circular.</summary>
    public static bool FiredIn(HazardFacts h, DateTimeOffset start, DateTimeOffset until) =>
        !h.Escalations.IsDefault && h.Escalations.Any(e => e.Step.IsSanction() && start <= e.FiredAt && e.FiredAt < until);
}

/// <summary>A fatal accident with its enterprise's name as the town's directory holds it (null
/// when the enterprise left the directory).</summary>
[GenerateSerializer, Immutable, Alias("hg.CircularAccident")]
public sealed record CircularAccident(FatalAccident Accident, string? EnterpriseName);
