using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Regions;

namespace HazardGrid.Enterprises;

/// <summary>A named person the directives hold responsible; the phone is where notifications go.</summary>
[GenerateSerializer, Immutable, Alias("hg.Person")]
public sealed record Person([property: Id(0)] string Name, [property: Id(1)] string? Phone)
{
    public static Person Validate(Person? person, string field)
    {
        if (person is null)
        {
            throw DomainException.Invalid(field, "is required");
        }

        return new Person(
            TextLimits.Required(person.Name, $"{field}.name", TextLimits.PersonName),
            TextLimits.Optional(person.Phone, $"{field}.phone", TextLimits.Phone));
    }
}

/// <summary>
/// What a pushing system says about an enterprise (生产经营单位). Keyed by its credit code; it
/// belongs to exactly one town (its jurisdiction) and one or more sectors.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.EnterpriseProfile")]
public sealed record EnterpriseProfile(
    [property: Id(0)] string CreditCode,
    [property: Id(1)] string Name,
    [property: Id(2)] string TownCode,
    [property: Id(3)] ImmutableArray<Sector> Sectors,
    [property: Id(4)] Person Principal,
    [property: Id(5)] Person ActualController,
    [property: Id(6)] Person? SafetyDirector)
{
    /// <summary>Normalises and checks every field against the rules and the region tree.</summary>
    public static EnterpriseProfile Validate(EnterpriseProfile profile, RegionCatalog regions)
    {
        var code = UnifiedSocialCreditCode.Validate(profile.CreditCode, "enterprise.credit_code");
        var name = TextLimits.Required(profile.Name, "enterprise.display_name", TextLimits.Name);
        var town = TextLimits.Required(profile.TownCode, "enterprise.town", 12);
        if (!regions.TryGet(town, out var region))
        {
            throw DomainException.Invalid("enterprise.town", $"'{town}' is not a town of the Shandong division tree");
        }

        if (region.Level != RegionLevel.Town)
        {
            throw DomainException.Invalid("enterprise.town", $"'{town}' ({region.Name}) is a {region.Level.ToString().ToLowerInvariant()}, not a town");
        }

        if (profile.Sectors.IsDefaultOrEmpty)
        {
            throw DomainException.Invalid("enterprise.sectors", "at least one sector is required");
        }

        for (var i = 0; i < profile.Sectors.Length; i++)
        {
            var sector = profile.Sectors[i];
            if (!Enum.IsDefined(sector))
            {
                throw DomainException.Invalid($"enterprise.sectors[{i}]", sector == default ? "is required: a sector" : $"{(int)sector} is not a known sector");
            }
        }

        return new EnterpriseProfile(
            code,
            name,
            town,
            [.. profile.Sectors.Distinct().Order()],
            Person.Validate(profile.Principal, "enterprise.principal"),
            Person.Validate(profile.ActualController, "enterprise.actual_controller"),
            profile.SafetyDirector is null ? null : Person.Validate(profile.SafetyDirector, "enterprise.safety_director"));
    }
}
