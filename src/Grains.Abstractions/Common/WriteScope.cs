using HazardGrid.Escalations;

namespace HazardGrid.Common;

/// <summary>
/// Where the caller of a write may act, carried into the enterprise grain on the
/// <see cref="WriteRequest"/>: the grain knows the enterprise's town, so it can refuse a write
/// outside the caller's region before changing anything, at no extra round trip. The gateway
/// derives it from the caller's credential (see the gateway's <c>Security/Caller.cs</c>).
/// </summary>
/// <param name="Region">The division code whose subtree the caller may write in (<c>37</c> is the
/// whole province): a town is inside when its code starts with it.</param>
/// <param name="DecidesUpTo">For a supervisor, the highest supervision level whose hazards it may
/// decide on (extend a deadline, raise the level); null for everyone else.</param>
/// <param name="Sectors">For a sector office's supervisor, the sectors whose hazards it may decide on.</param>
[GenerateSerializer, Immutable, Alias("hg.WriteScope")]
public sealed record WriteScope(string Region, SupervisionLevel? DecidesUpTo, Sectors.SectorScope? Sectors = null)
{
    /// <summary>Refuses a write to a hazard of a sector outside a sector office's scope (<see cref="Sectors"/>,
    /// appended later; null for every sector).</summary>
    public void RequireSector(Enterprises.Sector sector, string field, string what)
    {
        if (Sectors is { } sectors && !sectors.Includes(sector))
        {
            throw DomainException.Denied(field, $"{what} is not in the sectors of the caller's office ({sectors})");
        }
    }

    public bool Covers(string regionCode) => regionCode.StartsWith(Region, StringComparison.Ordinal);

    /// <summary>Refuses, as PERMISSION_DENIED, a write to something in <paramref name="townCode"/> outside the scope.</summary>
    public void Require(string townCode, string field, string what)
    {
        if (!Covers(townCode))
        {
            throw OutOfScope(field, what);
        }
    }

    /// <summary>The refusal for a target outside the scope, or one that does not exist and so cannot be
    /// shown to be inside it: the same words either way, so a refusal tells nothing about existence.</summary>
    public DomainException OutOfScope(string field, string what) =>
        DomainException.Denied(field, $"{what} is not within region {Region}, the caller's scope");

    /// <summary>Refuses a supervisor decision on a hazard supervised above the caller's level.</summary>
    public void RequireDecision(SupervisionLevel hazardLevel, string field)
    {
        if (DecidesUpTo is not { } max)
        {
            throw DomainException.Denied(field, "only a supervisor decides on deadlines and supervision levels");
        }

        if (hazardLevel > max)
        {
            throw DomainException.Denied(field,
                $"the hazard is supervised at {SupervisionLevels.Describe(hazardLevel)} level, above the caller's {SupervisionLevels.Describe(max)} level");
        }
    }
}
