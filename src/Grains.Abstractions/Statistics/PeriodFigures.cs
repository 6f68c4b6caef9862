using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Hazards;

namespace HazardGrid.Statistics;

/// <summary>
/// The counts of a set of hazards over a period (see <see cref="StatisticsCount"/> for what each
/// one counts). All are plain counts, so a region's are the sum of its children's (<see cref="Additive{T}"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.PeriodCounts")]
public sealed record PeriodCounts(
    int Found,
    int Closed,
    int ClosedOnTime,
    int ClosedLate,
    int OpenAtEnd,
    int OverdueAtEnd,
    int WarningLetters,
    int Circulars,
    int Summons,
    int Exposures,
    int Investigations);

/// <summary>How many hazards took <see cref="Days"/> whole days from found to closed.</summary>
[GenerateSerializer, Immutable, Alias("hg.DaysCount")]
public sealed record DaysCount(int Days, int Count);

/// <summary>
/// The days-to-close of a set of closed hazards as an exact histogram (whole days → how many),
/// ordered by days. Histograms add bucket by bucket, so a province's median is the median of
/// every hazard in it, not a blend of its cities' medians.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.ClosureDays")]
public sealed record ClosureDays(EquatableArray<DaysCount> Buckets)
{
    public static ClosureDays None { get; } = new(EquatableArray<DaysCount>.Empty);

    public int Total => Buckets.Sum(b => b.Count);

    public static ClosureDays Of(IEnumerable<int> days) =>
        new([.. days.GroupBy(d => d).OrderBy(g => g.Key).Select(g => new DaysCount(g.Key, g.Count()))]);

    public ClosureDays Add(ClosureDays other)
    {
        if (other.Buckets.Count == 0)
        {
            return this;
        }

        if (Buckets.Count == 0)
        {
            return other;
        }

        var merged = new SortedDictionary<int, int>();
        foreach (var bucket in Buckets.Concat(other.Buckets))
        {
            merged[bucket.Days] = merged.GetValueOrDefault(bucket.Days) + bucket.Count;
        }

        return new([.. merged.Select(b => new DaysCount(b.Key, b.Value))]);
    }

    /// <summary>
    /// The nearest-rank percentile: the smallest number of days d such that at least
    /// <paramref name="percent"/>% of the hazards took d days or fewer, i.e. the value at rank
    /// ⌈percent × n / 100⌉ of the n values in ascending order; 0 when there are none.
    /// </summary>
    public int Percentile(int percent)
    {
        var total = Total;
        if (total == 0)
        {
            return 0;
        }

        // Integer arithmetic: no rounding at the boundary (50% of 4 is rank 2, not 2.0000001).
        var rank = ((percent * (long)total) + 99) / 100;
        var seen = 0L;
        foreach (var bucket in Buckets)
        {
            seen += bucket.Count;
            if (seen >= Math.Max(rank, 1))
            {
                return bucket.Days;
            }
        }

        return Buckets[^1].Days;
    }
}

/// <summary>A set of hazards' statistics over one period: the counts and the days-to-close histogram.</summary>
[GenerateSerializer, Immutable, Alias("hg.PeriodFigures")]
public sealed record PeriodFigures(PeriodCounts Counts, ClosureDays DaysToClose)
{
    public static PeriodFigures Zero { get; } = new(Additive<PeriodCounts>.Zero, ClosureDays.None);

    /// <summary>Closed in the period ÷ (closed in the period + open at its end): of the hazards that
    /// had to be dealt with in the period (open at its start or found in it, less those withdrawn),
    /// the share closed. 1 when there were none.</summary>
    public double ClosureRate =>
        Counts.Closed + Counts.OpenAtEnd == 0 ? 1 : (double)Counts.Closed / (Counts.Closed + Counts.OpenAtEnd);

    public int MedianDaysToClose => DaysToClose.Percentile(50);

    public int P90DaysToClose => DaysToClose.Percentile(90);

    public PeriodFigures Add(PeriodFigures other) =>
        new(Additive<PeriodCounts>.Add(Counts, other.Counts), DaysToClose.Add(other.DaysToClose));
}

/// <summary>One sector's share of a region's statistics.</summary>
[GenerateSerializer, Immutable, Alias("hg.SectorPeriodFigures")]
public sealed record SectorPeriodFigures(Sector Sector, PeriodFigures Figures);

/// <summary>The statistics of the hazards first reported through one channel; <see cref="Channel"/>
/// is null for hazards whose facts were stored before channels were kept.</summary>
[GenerateSerializer, Immutable, Alias("hg.ChannelPeriodFigures")]
public sealed record ChannelPeriodFigures(ReportChannel? Channel, PeriodFigures Figures);

/// <summary>
/// A region's statistics over a period: in total, by sector and by first channel. Every hazard
/// is in exactly one sector and one channel, so each count of the parts adds up to the total.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.RegionStatistics")]
public sealed record RegionStatistics(
    PeriodFigures Total,
    EquatableArray<SectorPeriodFigures> BySector,
    EquatableArray<ChannelPeriodFigures> ByChannel)
{
    public static RegionStatistics Zero { get; } = new(PeriodFigures.Zero, EquatableArray<SectorPeriodFigures>.Empty, EquatableArray<ChannelPeriodFigures>.Empty);

    public RegionStatistics Add(RegionStatistics other) => Sum([this, other]);

    /// <summary>
    /// Adds many regions' statistics in one pass: a rollup adds all its children at once, so the
    /// histograms are added into one running tally per part rather than rebuilt child by child
    /// (adding pairwise copied a province's whole histogram for every county and town).
    /// </summary>
    public static RegionStatistics Sum(IEnumerable<RegionStatistics> parts)
    {
        var total = new FiguresSum();
        var sectors = new SortedDictionary<Sector, FiguresSum>();
        var channels = new SortedDictionary<int, (ReportChannel? Channel, FiguresSum Sum)>();
        foreach (var part in parts)
        {
            total.Add(part.Total);
            foreach (var sector in part.BySector)
            {
                (sectors.TryGetValue(sector.Sector, out var sum) ? sum : sectors[sector.Sector] = new FiguresSum()).Add(sector.Figures);
            }

            foreach (var channel in part.ByChannel)
            {
                var key = (int?)channel.Channel ?? 0;
                (channels.TryGetValue(key, out var entry) ? entry.Sum : (channels[key] = (channel.Channel, new FiguresSum())).Sum).Add(channel.Figures);
            }
        }

        return new(
            total.ToFigures(),
            [.. sectors.Select(s => new SectorPeriodFigures(s.Key, s.Value.ToFigures()))],
            [.. channels.Values.Select(c => new ChannelPeriodFigures(c.Channel, c.Sum.ToFigures()))]);
    }

    /// <summary>A running sum of period figures: the counts, and the histogram as days → count.</summary>
    private sealed class FiguresSum
    {
        private readonly Dictionary<int, int> _days = [];
        private PeriodCounts _counts = Additive<PeriodCounts>.Zero;

        public void Add(PeriodFigures figures)
        {
            _counts = Additive<PeriodCounts>.Add(_counts, figures.Counts);
            foreach (var bucket in figures.DaysToClose.Buckets)
            {
                _days[bucket.Days] = _days.GetValueOrDefault(bucket.Days) + bucket.Count;
            }
        }

        public PeriodFigures ToFigures() =>
            new(_counts, _days.Count == 0 ? ClosureDays.None : new([.. _days.OrderBy(d => d.Key).Select(d => new DaysCount(d.Key, d.Value))]));
    }
}
