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
        const string Form = "enterprises/{credit_code}";
        if (string.IsNullOrEmpty(name))
        {
            throw DomainException.Invalid(field, $"is required: the enterprise's resource name, {Form}");
        }

        if (!name.StartsWith(Enterprises, StringComparison.Ordinal))
        {
            throw DomainException.Invalid(field, $"'{name}' is not of the form {Form}");
        }

        var code = name[Enterprises.Length..];
        if (code.Length == 0)
        {
            throw DomainException.Invalid(field, $"'{name}' names no credit code: expected {Form}");
        }

        if (code.Contains('/', StringComparison.Ordinal))
        {
            throw DomainException.Invalid(field, $"'{name}' is not of the form {Form}");
        }

        return CreditCodeIn(name, code, field);
    }

    /// <summary><c>enterprises/{credit_code}/hazards/{number}</c> → the hazard's key.</summary>
    public static HazardKey ParseHazard(string? name, string field = "name")
    {
        const string Form = "enterprises/{credit_code}/hazards/{number}";
        if (string.IsNullOrEmpty(name))
        {
            throw DomainException.Invalid(field, $"is required: the hazard's resource name, {Form}");
        }

        if (name.Split('/') is not ["enterprises", var code, "hazards", var number] || code.Length == 0)
        {
            throw DomainException.Invalid(field, $"'{name}' is not of the form {Form}");
        }

        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
        {
            throw DomainException.Invalid(field, $"'{name}' is not of the form {Form}: the hazard number '{number}' is not a whole number from 1");
        }

        return new HazardKey(CreditCodeIn(name, code, field), n);
    }

    /// <summary>The credit code inside a resource name; a refusal quotes the whole name.</summary>
    private static string CreditCodeIn(string name, string code, string field)
    {
        try
        {
            return UnifiedSocialCreditCode.Validate(code, field);
        }
        catch (DomainException refused)
        {
            throw DomainException.Invalid(field, $"'{name}' names no valid credit code: '{code}' {refused.Reason}");
        }
    }

    /// <summary><c>regions/{code}</c> → a region of the tree, or NOT_FOUND.</summary>
    public static Region ParseRegion(string? name, RegionCatalog regions, string field = "name")
    {
        if (string.IsNullOrEmpty(name))
        {
            throw DomainException.Invalid(field, "is required: the region's resource name, regions/{division_code}");
        }

        if (!name.StartsWith(Regions, StringComparison.Ordinal) || name.Length == Regions.Length)
        {
            throw DomainException.Invalid(field, $"'{name}' is not of the form regions/{{division_code}}");
        }

        return regions.TryGet(name[Regions.Length..], out var region)
            ? region
            : throw DomainException.NotFound(field, $"region '{name}' is not in the Shandong division tree");
    }
}
