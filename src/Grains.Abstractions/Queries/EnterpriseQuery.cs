using System.Collections.Immutable;
using HazardGrid.Enterprises;

namespace HazardGrid.Queries;

/// <summary>What a town's enterprise directory keeps of an enterprise (durably): enough to list it.</summary>
[GenerateSerializer, Immutable, Alias("hg.DirectoryEntry")]
public sealed record DirectoryEntry(string CreditCode, string Name, ImmutableArray<Sector> Sectors);

/// <summary>Which enterprises a region's list holds; nulls and an empty array match everything.
/// <see cref="Scope"/> (appended later): a sector office's sectors, over whose hazards alone the
/// open hazards and the watch list are judged; null judges them over every hazard.</summary>
[GenerateSerializer, Immutable, Alias("hg.EnterpriseFilter")]
public sealed record EnterpriseFilter(bool? OnWatchList, ImmutableArray<Sector> Sectors, bool? HasOpenHazards, Sectors.SectorScope? Scope = null)
{
    public static EnterpriseFilter All { get; } = new(null, [], null);

    public bool Matches(EnterpriseSummary e) =>
        (OnWatchList is not { } watched || e.OnWatchList == watched)
        && (Sectors.IsDefaultOrEmpty || e.Sectors.Any(Sectors.Contains))
        && (HasOpenHazards is not { } open || (e.OpenHazards > 0) == open);
}

/// <summary>An enterprise as a region's list shows it: its directory entry with what its town counts of it now.</summary>
[GenerateSerializer, Immutable, Alias("hg.EnterpriseSummary")]
public sealed record EnterpriseSummary(string CreditCode, string Name, string TownCode, ImmutableArray<Sector> Sectors, int OpenHazards, bool OnWatchList);

/// <summary>Up to a limit of a town's enterprises after a credit code, in credit-code order, and whether more follow.</summary>
[GenerateSerializer, Immutable, Alias("hg.EnterprisePage")]
public sealed record EnterprisePage(ImmutableArray<EnterpriseSummary> Enterprises, bool More);
