using System.Security.Claims;
using HazardGrid.Common;
using HazardGrid.Escalations;
using HazardGrid.Regions;

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
public sealed record Caller(string Subject, CallerRole Role, string Region)
{
    public const string SubjectClaim = "sub";
    public const string RoleClaim = "role";
    public const string RegionClaim = "region";

    /// <summary>The caller from a principal whose claims have been checked (see <see cref="Problem"/>), or null.</summary>
    public static Caller? From(ClaimsPrincipal? user) =>
        user?.FindFirst(SubjectClaim)?.Value is { Length: > 0 } subject
        && ParseRole(user.FindFirst(RoleClaim)?.Value) is { } role
        && user.FindFirst(RegionClaim)?.Value is { Length: > 0 } region
            ? new Caller(subject, role, region)
            : null;

    /// <summary>Why a validly signed credential still names no caller, or null when it does.</summary>
    public static string? Problem(ClaimsPrincipal? user)
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
        return region is null || !RegionCatalog.Shandong.TryGet(region, out _)
            ? $"the credential's '{RegionClaim}' claim must be a division code of the tree (37, 3704, 370406, 370406001, …)"
            : null;
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
    public WriteScope Scope => new(Region, DecisionLevel);
}
