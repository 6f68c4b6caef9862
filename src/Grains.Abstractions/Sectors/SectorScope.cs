using HazardGrid.Common;
using HazardGrid.Enterprises;

namespace HazardGrid.Sectors;

/// <summary>
/// The sectors an office regulates (管行业必须管安全, 001: each sector's regulator keeps its own
/// ledger): a sector-scoped credential sees hazards, enterprises and figures of these sectors only.
/// Kept sorted and without repeats, so two offices with the same sectors are the same scope and
/// compare equal (the towns count figures once per scope, see <see cref="SectorScopeFigures"/>).
/// </summary>
/// <param name="Sectors">At least one sector, ascending.</param>
[GenerateSerializer, Immutable, Alias("hg.SectorScope")]
public sealed record SectorScope(EquatableArray<Sector> Sectors)
{
    public static SectorScope Of(IEnumerable<Sector> sectors) => new([.. sectors.Distinct().Order()]);

    public bool Includes(Sector sector) => Sectors.Items.Contains(sector);

    /// <summary>Whether any of an enterprise's sectors is in the scope (an enterprise may have several).</summary>
    public bool IncludesAny(IEnumerable<Sector>? sectors) => sectors is not null && sectors.Any(Includes);

    public override string ToString() => string.Join(", ", Sectors.Items);
}

/// <summary>Whether a caller's scope — null meaning every sector — holds something.</summary>
public static class SectorScopes
{
    public static bool Allows(this SectorScope? scope, Sector sector) => scope is null || scope.Includes(sector);

    public static bool AllowsAny(this SectorScope? scope, IEnumerable<Sector>? sectors) => scope is null || scope.IncludesAny(sectors);
}
