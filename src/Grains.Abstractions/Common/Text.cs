namespace HazardGrid.Common;

/// <summary>Size limits for free text. Pushing systems are many and not all careful: unbounded
/// strings would end up in every grain's persisted payload.</summary>
public static class TextLimits
{
    public const int Name = 200;
    public const int PersonName = 64;
    public const int Phone = 32;
    public const int Criterion = 64;
    public const int Location = 200;
    public const int Description = 2000;
    public const int Note = 2000;
    public const int RequestId = 64;
    public const int Actor = 64;

    /// <summary>Trims and checks a required string; throws INVALID_ARGUMENT naming <paramref name="field"/>.</summary>
    public static string Required(string? value, string field, int maxLength)
    {
        var trimmed = value?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            throw DomainException.Invalid(field, "is required");
        }

        return CheckLength(trimmed, field, maxLength);
    }

    /// <summary>Trims an optional string to null when empty; throws when too long.</summary>
    public static string? Optional(string? value, string field, int maxLength)
    {
        var trimmed = value?.Trim();
        return string.IsNullOrEmpty(trimmed) ? null : CheckLength(trimmed, field, maxLength);
    }

    private static string CheckLength(string value, string field, int maxLength) =>
        value.Length <= maxLength
            ? value
            : throw DomainException.Invalid(field, $"is {value.Length} characters long; the limit is {maxLength}");
}
