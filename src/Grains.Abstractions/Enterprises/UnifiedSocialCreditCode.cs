using HazardGrid.Common;

namespace HazardGrid.Enterprises;

/// <summary>
/// The 18-character Unified Social Credit Code (统一社会信用代码) of GB 32100-2015: registration
/// authority (1), entity category (1), division code (6), organisation code (9), check character (1).
/// The last character is a mod-31 check over the first seventeen.
/// </summary>
public static class UnifiedSocialCreditCode
{
    /// <summary>The 31 characters of the code, in value order (I, O, S, V and Z are not used).</summary>
    public const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    private static readonly int[] s_weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>Checks a code; returns the normalised (upper-case) form or throws INVALID_ARGUMENT naming <paramref name="field"/>.</summary>
    public static string Validate(string? code, string field)
    {
        var value = code?.Trim().ToUpperInvariant() ?? string.Empty;
        if (value.Length == 0)
        {
            throw DomainException.Invalid(field, "is required");
        }

        if (value.Length != 18)
        {
            throw DomainException.Invalid(field, $"must be 18 characters (GB 32100-2015); got {value.Length}");
        }

        for (var i = 0; i < 18; i++)
        {
            if (Alphabet.IndexOf(value[i]) < 0)
            {
                throw DomainException.Invalid(field, $"has {Show(value[i])} at character {i + 1}, which credit codes do not use (only 0-9 and A-Y without I, O, S, V, Z)");
            }
        }

        for (var i = 2; i < 8; i++)
        {
            if (!char.IsAsciiDigit(value[i]))
            {
                throw DomainException.Invalid(field, $"must have a division code in characters 3-8; character {i + 1} is {Show(value[i])}");
            }
        }

        var expected = CheckCharacter(value.AsSpan(0, 17));
        if (value[17] != expected)
        {
            throw DomainException.Invalid(field, $"has check character '{value[17]}' but GB 32100-2015 gives '{expected}'");
        }

        return value;
    }

    /// <summary>A character as a message can show it: printable ones quoted, others as U+XXXX.</summary>
    private static string Show(char c) => char.IsControl(c) || char.IsWhiteSpace(c) || char.IsSurrogate(c) || c > '\u007E'
        ? $"U+{(int)c:X4}"
        : $"'{c}'";

    public static bool IsValid(string? code)
    {
        try
        {
            Validate(code, "code");
            return true;
        }
        catch (DomainException)
        {
            return false;
        }
    }

    /// <summary>Computes the check character for the first seventeen characters.</summary>
    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        if (first17.Length != 17)
        {
            throw new ArgumentException("Seventeen characters are needed.", nameof(first17));
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var value = Alphabet.IndexOf(first17[i]);
            if (value < 0)
            {
                throw new ArgumentException($"'{first17[i]}' is not a credit code character.", nameof(first17));
            }

            sum += value * s_weights[i];
        }

        var check = 31 - (sum % 31);
        return Alphabet[check == 31 ? 0 : check];
    }

    /// <summary>Completes seventeen characters with their check character.</summary>
    public static string Complete(string first17) => first17 + CheckCharacter(first17);
}
