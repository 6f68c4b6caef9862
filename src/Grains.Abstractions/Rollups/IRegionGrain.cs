using System.Collections.Immutable;
using HazardGrid.Circulars;
using HazardGrid.Common;
using HazardGrid.Regions;
using HazardGrid.Sectors;
using HazardGrid.Statistics;
using Orleans.Concurrency;

namespace HazardGrid.Rollups;

/// <summary>
/// What every region of the division tree answers, keyed by its division code (37, 3704, 370406,
/// 370406001). Two grain types implement it: <see cref="ITownGrain"/>, where hazards are counted,
/// and <see cref="IRollupGrain"/> for counties, cities and the province, which add up their
/// children. Reach a region through <see cref="RegionGrainFactoryExtensions.GetRegionGrain"/>,
/// which picks the type from the region's level.
/// <para>The reads that take a <see cref="SectorScope"/> count or list only hazards of its sectors
/// (and accidents and enterprises in them) for a sector office's credential; null is every sector.</para>
/// <para>Every method reads memory only and interleaves, so a supervisor's query never waits
/// behind a town's ledger write. Reads never change anything: the ladder is driven by the town's
/// own clock, not by who looks.</para>
/// </summary>
[Alias("hg.IRegionGrain")]
public interface IRegionGrain : IGrainWithStringKey
{
    [Alias("GetStatus"), AlwaysInterleave]
    Task<RegionStatus> GetStatus();

    /// <summary>A parent pulls this region's figures (on activation and for reconciliation).</summary>
    [Alias("GetFiguresForParent"), AlwaysInterleave]
    Task<ChildFigures> GetFiguresForParent();

    /// <summary>The enterprises on the watch list of this region (every town under it).</summary>
    [Alias("GetWatchList"), AlwaysInterleave]
    Task<ImmutableArray<WatchListEntry>> GetWatchList(SectorScope? sectors = null);

    /// <summary>Every ladder step fired on hazards under this region, newest first.</summary>
    [Alias("GetEscalationEvents"), AlwaysInterleave]
    Task<ImmutableArray<RegionEscalationEvent>> GetEscalationEvents(SectorScope? sectors = null);

    /// <summary>Pushes the region's status to <paramref name="observer"/> each time it changes
    /// (batched like the reports to the parent). A subscription lapses unless renewed within
    /// <see cref="RegionWatch.Lease"/>, so a watcher that vanished costs nothing for long.</summary>
    [Alias("Watch"), AlwaysInterleave]
    Task Watch(IRegionStatusObserver observer);

    [Alias("Unwatch"), AlwaysInterleave]
    Task Unwatch(IRegionStatusObserver observer);

    /// <summary>The region's statistics for <paramref name="period"/>, counted up to its end or, while
    /// it runs, up to now (see <see cref="StatisticsCount"/>). A period that starts after now is refused.</summary>
    [Alias("GetStatistics"), AlwaysInterleave]
    Task<RegionStatisticsReport> GetStatistics(StatisticsPeriod period, SectorScope? sectors = null);

    /// <summary>A parent gathers its children's statistics, every town counting up to the same <paramref name="until"/>.</summary>
    [Alias("CountStatistics"), AlwaysInterleave]
    Task<RegionStatistics> CountStatistics(StatisticsPeriod period, DateTimeOffset until, SectorScope? sectors = null);

    /// <summary>The hazards and fatal accidents a monthly circular names for <paramref name="month"/>
    /// counted up to <paramref name="until"/> (see <see cref="CircularItems"/>), from every town
    /// under the region; the caller takes <paramref name="until"/> from its statistics call so the
    /// lists and the figures are counted at the same instant.</summary>
    [Alias("ListCircularItems"), AlwaysInterleave]
    Task<CircularItems> ListCircularItems(StatisticsPeriod month, DateTimeOffset until, SectorScope? sectors = null);

    /// <summary>The region's progress against the campaign's targets now, the increment compared
    /// over periods of <paramref name="kind"/>; a county, city or the province also lists its children's.</summary>
    [Alias("GetCampaignProgress"), AlwaysInterleave]
    Task<CampaignProgress> GetCampaignProgress(PeriodKind kind, SectorScope? sectors = null);

    /// <summary>A parent gathers its children's campaign figures, all counted for the same query.</summary>
    [Alias("CountCampaign"), AlwaysInterleave]
    Task<CampaignFigures> CountCampaign(CampaignQuery query, SectorScope? sectors = null);
}

/// <summary>Receives a region's status as it changes (see <see cref="IRegionGrain.Watch"/>).</summary>
[Alias("hg.IRegionStatusObserver")]
public interface IRegionStatusObserver : IGrainObserver
{
    [Alias("StatusChanged"), OneWay]
    Task StatusChanged(RegionStatus status);
}

/// <summary>Timings of region watches.</summary>
public static class RegionWatch
{
    /// <summary>How long a subscription lasts unless renewed; watchers renew at a third of it.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(3);
}

public static class RegionGrainFactoryExtensions
{
    /// <summary>The grain of <paramref name="region"/>: a town grain for a town, a rollup grain above.</summary>
    public static IRegionGrain GetRegionGrain(this IGrainFactory grains, Region region) =>
        region.Level == RegionLevel.Town ? grains.Reference<ITownGrain>(region.Code) : grains.Reference<IRollupGrain>(region.Code);
}
