using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Rollups;
using HazardGrid.Sectors;

namespace HazardGrid.Gateway.Security;

/// <summary>
/// The sector rules of a caller (管行业必须管安全, 001: each sector's regulator keeps its own
/// ledger). A credential with an <c>office</c> claim sees, in its region's subtree, only the hazards
/// of its office's sectors, the enterprises with one of them, and figures counted over those
/// hazards alone; a request that names only other sectors, or a hazard or enterprise of other
/// sectors, is refused with PERMISSION_DENIED saying so. A credential without the claim sees every
/// sector. The services ask these helpers, never the claim.
/// </summary>
public static class SectorAccess
{
    /// <summary>Why an office claim is not acceptable, or null (also when there is none).</summary>
    public static string? OfficeProblem(string? office, CallerRole? role, SectorOffices offices)
    {
        if (office is null)
        {
            return null;
        }

        if (role is not CallerRole.Supervisor)
        {
            return $"the credential's '{Caller.OfficeClaim}' claim is for supervisor credentials: a sector office reads and supervises, it makes no system writes";
        }

        return offices.Find(office) is null
            ? $"the credential's '{Caller.OfficeClaim}' claim '{office}' names no configured sector office ({string.Join(", ", offices.Offices.Keys)})"
            : null;
    }

    /// <summary>Refuses something of <paramref name="sector"/> to a sector office that does not regulate it.</summary>
    public static void RequireSector(this Caller caller, Sector sector, string field, string what)
    {
        if (!caller.Sectors.Allows(sector))
        {
            throw OutsideSectors(caller, field, what);
        }
    }

    /// <summary>Refuses an enterprise none of whose sectors the caller's office regulates.</summary>
    public static void RequireAnySector(this Caller caller, IEnumerable<Sector> sectors, string field, string what)
    {
        if (!caller.Sectors.AllowsAny(sectors))
        {
            throw OutsideSectors(caller, field, what);
        }
    }

    /// <summary>
    /// The sectors a list may hold: the request's, narrowed to the office's; every sector of the
    /// office when the request names none. A request naming only sectors outside the office is
    /// refused rather than answered with an empty page, so a client learns its filter cannot work.
    /// </summary>
    public static ImmutableArray<Sector> ListSectors(this Caller caller, ImmutableArray<Sector> requested, string field)
    {
        if (caller.Sectors is not { } scope)
        {
            return requested;
        }

        if (requested.IsDefaultOrEmpty)
        {
            return scope.Sectors.Items;
        }

        var allowed = requested.Where(scope.Includes).Distinct().ToImmutableArray();
        return allowed.IsEmpty
            ? throw DomainException.Denied(field, $"names only sectors outside office {caller.Office}'s ({scope})")
            : allowed;
    }

    /// <summary>A region's status as the caller may see it: counted over its office's sectors only.</summary>
    public static RegionStatus StatusFor(this Caller caller, RegionStatus status) =>
        status.For(caller.Sectors) ?? throw NotCounted(caller);

    /// <summary>The gateway knows an office whose sectors the silos do not count: they are configured differently.</summary>
    public static DomainException NotCounted(Caller caller) =>
        DomainException.Precondition("credential.office",
            $"the cluster counts no figures for office {caller.Office}'s sectors ({caller.Sectors}): configure the same {SectorOffices.Section} on the silos as on the gateway");

    private static DomainException OutsideSectors(Caller caller, string field, string what) =>
        DomainException.Denied(field, $"{what} is not in the sectors of office {caller.Office} ({caller.Sectors}), the caller's scope");
}
