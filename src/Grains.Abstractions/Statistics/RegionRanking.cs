using HazardGrid.Common;
using HazardGrid.Regions;
using HazardGrid.Rollups;

namespace HazardGrid.Statistics;

/// <summary>What the published ranking (晾晒排名, 001 §三(四)) orders a region's children by.</summary>
public enum RankingKey
{
    /// <summary>Overdue ÷ open (0 with nothing open), as in the region status; worst is highest.</summary>
    OverdueShare = 1,

    /// <summary>Closed this month ÷ (closed this month + open) (1 with neither); worst is lowest.</summary>
    ClosureRate = 2,

    /// <summary>Open hazards; worst is most.</summary>
    Open = 3,
}

/// <summary>One child in a ranking: its place, the value ranked by and the counts behind it.</summary>
[GenerateSerializer, Immutable, Alias("hg.RankedRegion")]
public sealed record RankedRegion(Region Region, int Rank, double Value, int Open, int Overdue, int ClosedThisMonth);

/// <summary>A region's children ranked by their live figures.</summary>
[GenerateSerializer, Immutable, Alias("hg.RegionRanking")]
public sealed record RegionRanking(Region Parent, RankingKey Key, bool BestFirst, DateTimeOffset AsOf, EquatableArray<RankedRegion> Entries)
{
    /// <summary>
    /// Ranks <paramref name="children"/> worst first unless <paramref name="bestFirst"/>. Equal
    /// values share a rank and the next rank skips as many places (1, 2, 2, 4); equal values are
    /// listed by division code. Ratios are compared exactly (as fractions), not as doubles.
    /// </summary>
    public static RegionRanking Rank(Region parent, IEnumerable<(Region Region, HazardFigures Figures)> children, RankingKey key, bool bestFirst, DateTimeOffset asOf)
    {
        var values = children.Select(c => (c.Region, c.Figures, Value: ValueOf(c.Figures, key))).ToList();

        // Worst first is descending for the overdue share and open count, ascending for the closure rate.
        var descending = (key != RankingKey.ClosureRate) != bestFirst;
        var ordered = values
            .Order(Comparer<(Region Region, HazardFigures Figures, Fraction Value)>.Create((a, b) =>
            {
                var byValue = a.Value.CompareTo(b.Value);
                return byValue != 0 ? (descending ? -byValue : byValue) : string.CompareOrdinal(a.Region.Code, b.Region.Code);
            }))
            .ToList();

        var entries = new List<RankedRegion>(ordered.Count);
        for (var i = 0; i < ordered.Count; i++)
        {
            var (region, figures, value) = ordered[i];
            var rank = i > 0 && ordered[i - 1].Value.CompareTo(value) == 0 ? entries[i - 1].Rank : i + 1;
            entries.Add(new RankedRegion(region, rank, value.ToDouble(), figures.Open, figures.Overdue, figures.ClosedThisMonth));
        }

        return new RegionRanking(parent, key, bestFirst, asOf, [.. entries]);
    }

    private static Fraction ValueOf(HazardFigures f, RankingKey key) => key switch
    {
        RankingKey.OverdueShare => f.Open == 0 ? new(0, 1) : new(f.Overdue, f.Open),
        RankingKey.ClosureRate => f.ClosedThisMonth + f.Open == 0 ? new(1, 1) : new(f.ClosedThisMonth, f.ClosedThisMonth + f.Open),
        RankingKey.Open => new(f.Open, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "not a ranking key"),
    };

    /// <summary>A non-negative ratio with a positive denominator, compared by cross-multiplying.</summary>
    private readonly record struct Fraction(long Numerator, long Denominator) : IComparable<Fraction>
    {
        public int CompareTo(Fraction other) => (Numerator * other.Denominator).CompareTo(other.Numerator * Denominator);

        public double ToDouble() => (double)Numerator / Denominator;
    }
}
