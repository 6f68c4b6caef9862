using HazardGrid.Rollups;

namespace HazardGrid.Sectors;

/// <summary>A region's status as a sector office sees it.</summary>
public static class SectorStatus
{
    /// <summary>
    /// The status counted over <paramref name="scope"/>'s sectors only: its figures and leadership
    /// summons from <see cref="RegionStatus.ByScope"/>, the direct reports of its sectors, and no
    /// other scope's figures. Null scope (every sector) gives the status itself; null when the region
    /// does not count the scope (the silos are configured with other offices than the gateway).
    /// </summary>
    public static RegionStatus? For(this RegionStatus status, SectorScope? scope)
    {
        if (scope is null)
        {
            return status;
        }

        return SectorScopeFigures.Find(status.ByScope, scope) is not { } scoped
            ? null
            : status with
            {
                Figures = scoped.Figures,
                LeadershipSummons = scoped.LeadershipSummons,
                DirectReports = [.. status.DirectReports.Where(r => !r.Sectors.IsDefault && scope.IncludesAny(r.Sectors))],
                ByScope = [],
            };
    }

    /// <summary>The figures per scope with each scope's leadership summons judged on its own overdue share.</summary>
    public static Common.EquatableArray<SectorScopeFigures> WithSummons(Common.EquatableArray<SectorScopeFigures> byScope, double overdueShareThreshold) =>
        [.. byScope.Items.Select(f => f with { LeadershipSummons = f.Figures.OverdueShare > overdueShareThreshold })];
}
