using System.Collections.Immutable;
using HazardGrid.Accidents;
using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Rollups;

namespace HazardGrid.Sectors;

/// <summary>
/// A town's hazards and accidents as a sector office sees them: the hazards of its sectors, and the
/// fatal accidents of enterprises with one of its sectors (a town knows an enterprise's sectors from
/// its directory). Null scope is every sector. Every scoped read and count of a town goes through here.
/// </summary>
internal static class SectorCounts
{
    public static IEnumerable<HazardFacts> In(this IEnumerable<HazardFacts> hazards, SectorScope? scope) =>
        scope is null ? hazards : hazards.Where(h => scope.Includes(h.Sector));

    public static IEnumerable<FatalAccident> In(this IEnumerable<FatalAccident> accidents, SectorScope? scope, Func<string, ImmutableArray<Sector>?> sectorsOf) =>
        scope is null ? accidents : accidents.Where(a => sectorsOf(a.CreditCode) is { IsDefault: false } sectors && scope.IncludesAny(sectors));

    /// <summary>The figures of every scope, each counted like the town's own figures over the scope's share.</summary>
    public static EquatableArray<SectorScopeFigures> Count(
        IEnumerable<SectorScope> scopes, IEnumerable<HazardFacts> hazards, IEnumerable<FatalAccident> accidents,
        Func<string, ImmutableArray<Sector>?> sectorsOf, DateTimeOffset now, int watchListOverdueHazards) =>
        [.. scopes.Select(scope => new SectorScopeFigures(scope, HazardFigures.Count(hazards.In(scope), now, watchListOverdueHazards, accidents.In(scope, sectorsOf))))];
}
