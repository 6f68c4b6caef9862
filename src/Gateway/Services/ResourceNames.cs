using System.Globalization;
using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Hazards;
using HazardGrid.Regions;

namespace HazardGrid.Gateway.Services;

/// <summary>Parses and formats the API's resource names.</summary>
public static class ResourceNames
{
    private const string Enterprises = "enterprises/";
    private const string Regions = "regions/";

    public static string Enterprise(string creditCode) => Enterprises + creditCode;

    public static string Hazard(string hazardId)
    {
        var key = HazardKey.Parse(hazardId);
        return $"{Enterprises}{key.CreditCode}/hazards/{key.Number}";
    }

    public static string Region(string code) => Regions + code;

    /// <summary><c>enterprises/{credit_code}</c> → the checked credit code.</summary>
    public static string ParseEnterprise(string? name, string field)
    {
        if (name is null || !name.StartsWith(Enterprises, StringComparison.Ordinal))
        {
            throw DomainException.Invalid(field, $"'{name}' is not of the form enterprises/{{credit_code}}");
        }

        return UnifiedSocialCreditCode.Validate(name[Enterprises.Length..], field);
    }

    /// <summary><c>enterprises/{credit_code}/hazards/{number}</c> → the hazard's key.</summary>
    public static HazardKey ParseHazard(string? name, string field = "name")
    {
        var parts = name?.Split('/') ?? [];
        if (parts is not ["enterprises", _, "hazards", var number]
            || !int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
        {
            throw DomainException.Invalid(field, $"'{name}' is not of the form enterprises/{{credit_code}}/hazards/{{number}}");
        }

        return new HazardKey(UnifiedSocialCreditCode.Validate(parts[1], field), n);
    }

    /// <summary><c>regions/{code}</c> → a region of the tree, or NOT_FOUND.</summary>
    public static Region ParseRegion(string? name, RegionCatalog regions, string field = "name")
    {
        if (name is null || !name.StartsWith(Regions, StringComparison.Ordinal) || name.Length == Regions.Length)
        {
            throw DomainException.Invalid(field, $"'{name}' is not of the form regions/{{division_code}}");
        }

        return regions.TryGet(name[Regions.Length..], out var region)
            ? region
            : throw DomainException.NotFound(field, $"region '{name}' is not in the Shandong division tree");
    }
}
