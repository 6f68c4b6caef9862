using System.Security.Claims;
using HazardGrid.Common;
using HazardGrid.Escalations;
using HazardGrid.Regions;
using HazardGrid.Sectors;

namespace HazardGrid.Gateway.Security;

/// <summary>What a credential lets its holder do. <c>system</c>: a city or county system (the
/// province's has region 37), writes and reads in its region. <c>supervisor</c>: reads its region
/// and takes the supervisor decisions. <c>operator</c>: the dashboard and operations, no hazard data.</summary>
public enum CallerRole
{
    System = 1,
    Supervisor = 2,
    Operator = 3,
}

/// <summary>
/// The authenticated caller of a call, read from its credential's claims, and the one place the
/// role and region rules live: every service asks this record, never the claims themselves.
/// </summary>
/// <param name="Subject">The <c>sub</c> claim: a system id (<c>jinan-county-system</c>) or a person; recorded on the audit trail.</param>
/// <param name="Role">The <c>role</c> claim.</param>
/// <param name="Region">The <c>region</c> claim: a division code of the tree (37 province, 3704 city, 370406 county, 370406001 town);
/// the caller acts in that region's subtree.</param>
/// <param name="Office">The <c>office</c> claim, optional: a sector office of <see cref="SectorOffices"/>
/// (<c>emergency-management</c>, …); only a supervisor's credential may carry one.</param>
/// <param name="Sectors">The office's sectors: the caller sees hazards, enterprises and figures of
/// these sectors only (see <see cref="SectorAccess"/>). Null: every sector.</param>
public sealed record Caller(string Subject, CallerRole Role, string Region, string? Office = null, SectorScope? Sectors = null)
{
    public const string SubjectClaim = "sub";
    public const string RoleClaim = "role";
    public const string RegionClaim = "region";
    public const string OfficeClaim = "office";

    /// <summary>The caller from a principal whose claims have been checked (see <see cref="Problem"/>), or
    /// null. The office claim is resolved with <paramref name="offices"/> (the configured ones; the
    /// defaults when not given); an office they do not know names no caller.</summary>
    public static Caller? From(ClaimsPrincipal? user, SectorOffices? offices = null)
    {
        if (user?.FindFirst(SubjectClaim)?.Value is not { Length: > 0 } subject
            || ParseRole(user.FindFirst(RoleClaim)?.Value) is not { } role
            || user.FindFirst(RegionClaim)?.Value is not { Length: > 0 } region)
        {
            return null;
        }

        if (user.FindFirst(OfficeClaim)?.Value is not { } office)
        {
            return new Caller(subject, role, region);
        }

        return (offices ?? SectorOffices.Default).Find(office) is { } sectors ? new Caller(subject, role, region, office, sectors) : null;
    }

    /// <summary>Why a validly signed credential still names no caller, or null when it does.</summary>
    public static string? Problem(ClaimsPrincipal? user, SectorOffices? offices = null)
    {
        var subject = user?.FindFirst(SubjectClaim)?.Value;
        if (string.IsNullOrWhiteSpace(subject) || subject.Length > TextLimits.Actor.MaxLength)
        {
            return $"the credential's '{SubjectClaim}' claim must name the caller in 1 to {TextLimits.Actor.MaxLength} characters";
        }

        if (ParseRole(user?.FindFirst(RoleClaim)?.Value) is null)
        {
            return $"the credential's '{RoleClaim}' claim must be one of system, supervisor, operator";
        }

        var region = user?.FindFirst(RegionClaim)?.Value;
        if (region is null || !RegionCatalog.Shandong.TryGet(region, out _))
        {
            return $"the credential's '{RegionClaim}' claim must be a division code of the tree (37, 3704, 370406, 370406001, …)";
        }

        return SectorAccess.OfficeProblem(user?.FindFirst(OfficeClaim)?.Value, ParseRole(user?.FindFirst(RoleClaim)?.Value), offices ?? SectorOffices.Default);
    }

    public static CallerRole? ParseRole(string? role) => role switch
    {
        "system" => CallerRole.System,
        "supervisor" => CallerRole.Supervisor,
        "operator" => CallerRole.Operator,
        _ => null,
    };

    public static string Describe(CallerRole role) => role.ToString().ToLowerInvariant();

    /// <summary>Whether a region (or a town, by its code) is in the caller's subtree.</summary>
    public bool Covers(string regionCode) => regionCode.StartsWith(Region, StringComparison.Ordinal);

    /// <summary>Whether the caller's region is the whole province: only then is "does not exist" an answer it may hear.</summary>
    public bool CoversProvince => Covers(RegionCatalog.Shandong.Root.Code);

    public bool CanRead(string regionCode) => Role is CallerRole.System or CallerRole.Supervisor && Covers(regionCode);

    public bool CanWrite(string regionCode) => Role is CallerRole.System && Covers(regionCode);

    /// <summary>The highest supervision level this caller decides on: a supervisor's own level
    /// (province, city or county by its region); a town supervisor and everyone else, none.</summary>
    public SupervisionLevel? DecisionLevel =>
        Role is not CallerRole.Supervisor || !RegionCatalog.Shandong.TryGet(Region, out var region) ? null : region.Level switch
        {
            RegionLevel.Province => SupervisionLevel.Province,
            RegionLevel.City => SupervisionLevel.City,
            RegionLevel.County => SupervisionLevel.County,
            _ => null,
        };

    /// <summary>Whether the caller may extend the deadline of, or raise the level of, a hazard
    /// supervised at <paramref name="level"/> in <paramref name="townCode"/>.</summary>
    public bool CanDecide(SupervisionLevel level, string townCode) => DecisionLevel is { } max && level <= max && Covers(townCode);

    /// <summary>The scope carried into the grains with a write, which check it where the target's town is known.</summary>
    public WriteScope Scope => new(Region, DecisionLevel, Sectors);
}
