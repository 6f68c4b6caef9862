using HazardGrid.Escalations;
using HazardGrid.Statistics;
using Orleans.Concurrency;

namespace HazardGrid.Rollups;

/// <summary>
/// A county, city or the province, keyed by its division code: the sum of its children's
/// figures, held in memory. It pulls them from its children when it activates and every
/// reconcile period; in between, children push changes up in batches, so a burst of writes in one
/// town reaches the province as one report and the province is never on a write's path.
/// </summary>
[Alias("hg.IRollupGrain")]
public interface IRollupGrain : IRegionGrain
{
    /// <summary>A child pushes its figures up; stale sequences are ignored. Interleaves: a child
    /// reporting while this region pulls from it must not wait behind the pull.</summary>
    [Alias("ReportChildFigures"), AlwaysInterleave]
    Task ReportChildFigures(ChildFigures figures);

    /// <summary>Takes a direct report (直报) ahead of the batched figures; enterprises send them to
    /// the province. Kept in memory, newest first.</summary>
    [Alias("ReceiveDirectReport"), OneWay]
    Task ReceiveDirectReport(DirectReport report);

    /// <summary>The region's children ranked by their live figures (晾晒排名), from the figures this
    /// region already holds: no call goes down. With <paramref name="sectors"/>, by the children's
    /// figures counted over those sectors (refused when the scope is not counted).</summary>
    [Alias("GetRanking"), AlwaysInterleave]
    Task<RegionRanking> GetRanking(RankingKey key, bool bestFirst, Sectors.SectorScope? sectors = null);
}
