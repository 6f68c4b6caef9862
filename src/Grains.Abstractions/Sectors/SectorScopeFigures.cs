using HazardGrid.Common;
using HazardGrid.Rollups;

namespace HazardGrid.Sectors;

/// <summary>
/// A region's figures counted over one sector scope's hazards only (and the fatal accidents of
/// enterprises in those sectors): what a sector office sees instead of the region's figures. Kept
/// whole per scope rather than added from per-sector shares, because some figures count
/// enterprises (the watch list, accidents), and an enterprise in two of an office's sectors must
/// count once.
/// <para><see cref="LeadershipSummons"/> is set only in a region's status: whether the scope's own
/// overdue share passes the policy's threshold (the region's consequence as the office sees it);
/// figures a child reports to its parent leave it false.</para>
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.SectorScopeFigures")]
public sealed record SectorScopeFigures(SectorScope Scope, HazardFigures Figures, bool LeadershipSummons = false)
{
    /// <summary>Adds children's scoped figures scope by scope (a scope a child lacks counts as zero there).</summary>
    public static EquatableArray<SectorScopeFigures> Sum(IEnumerable<EquatableArray<SectorScopeFigures>> children) =>
        [.. children.SelectMany(c => c.Items)
            .GroupBy(f => f.Scope)
            .Select(g => new SectorScopeFigures(g.Key, HazardFigures.Sum(g.Select(f => f.Figures))))];

    /// <summary>The figures of <paramref name="scope"/> in <paramref name="all"/>, or null when they are not counted.</summary>
    public static SectorScopeFigures? Find(EquatableArray<SectorScopeFigures> all, SectorScope scope) =>
        all.Items.FirstOrDefault(f => f.Scope == scope);
}
