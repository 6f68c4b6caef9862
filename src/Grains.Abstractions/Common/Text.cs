using System.Globalization;
using System.Text;

namespace HazardGrid.Common;

/// <summary>
/// The size of a free-text field and whether it may span lines. An <c>int</c> converts to a
/// single-line limit, so <c>TextLimits.Required(value, field, 12)</c> reads as before.
/// </summary>
public readonly record struct TextLimit(int MaxLength, bool MultiLine)
{
    public static implicit operator TextLimit(int maxLength) => new(maxLength, MultiLine: false);
}

/// <summary>
/// The one place free text from pushing systems is cleaned and checked. Pushing systems are many
/// and not all careful: unbounded or damaged strings would end up in every grain's persisted
/// payload, on regulators' screens and in exported ledgers.
/// </summary>
/// <remarks>
/// The rules, in the order applied (the proto's header comment states them for client authors):
/// <list type="number">
/// <item>Text must be well-formed Unicode: an unpaired surrogate, or U+FFFD (the replacement
/// character, which is what invalid UTF-8 on the wire decodes to), is refused. A U+FFFD is never
/// the sender's meaning, only the trace of an encoding fault somewhere upstream, so the sender is
/// told rather than the damage stored.</item>
/// <item>Unicode NFC normalization, so that "é" typed composed or decomposed is the same text
/// (and the same finding, for the duplicate rule).</item>
/// <item>Leading and trailing white space (any Unicode white space, line breaks included) is
/// trimmed.</item>
/// <item>In multi-line fields (descriptions, notes, plans, reasons) line breaks are kept and
/// written as LF: CR LF, CR, U+2028 and U+2029 become LF; tab is allowed.</item>
/// <item>Refused anywhere: C0 controls U+0000–U+001F (except tab and LF in multi-line fields),
/// DEL U+007F, C1 controls U+0080–U+009F, the bidirectional embedding, override and isolate
/// controls U+202A–U+202E and U+2066–U+2069 (they make a name display as something else), and
/// the noncharacters U+FFFE, U+FFFF. In single-line fields (names, criteria, locations, phones,
/// ids) every line break and tab is refused.</item>
/// <item>A required field must hold at least one visible character: text of white space and
/// invisible format characters only (e.g. U+200B) counts as missing.</item>
/// <item>Length is counted after all of the above, in Unicode characters (code points), so
/// one Chinese character or one emoji counts one.</item>
/// </list>
/// Refusals are INVALID_ARGUMENT naming the field, and say which character at which position
/// (1-based, in characters of the normalized text).
/// </remarks>
public static class TextLimits
{
    public static readonly TextLimit Name = 200;
    public static readonly TextLimit PersonName = 64;
    public static readonly TextLimit Phone = 32;
    public static readonly TextLimit Criterion = 64;
    public static readonly TextLimit Location = 200;
    public static readonly TextLimit Description = new(2000, MultiLine: true);
    public static readonly TextLimit Note = new(2000, MultiLine: true);
    public static readonly TextLimit RequestId = 64;
    public static readonly TextLimit Actor = 64;

    /// <summary>Cleans and checks a required string; throws INVALID_ARGUMENT naming <paramref name="field"/>.</summary>
    public static string Required(string? value, string field, TextLimit limit)
    {
        var text = Clean(value, field, limit);
        if (text.Length == 0)
        {
            throw DomainException.Invalid(field, "is required");
        }

        if (!HasVisibleCharacter(text))
        {
            throw DomainException.Invalid(field, "is required: it holds only white space and invisible characters");
        }

        return text;
    }

    /// <summary>Cleans an optional string to null when empty; throws INVALID_ARGUMENT when it breaks a rule.</summary>
    public static string? Optional(string? value, string field, TextLimit limit)
    {
        var text = Clean(value, field, limit);
        return text.Length == 0 ? null : text;
    }

    private static string Clean(string? value, string field, TextLimit limit)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        RefuseMalformedUnicode(value, field);
        var text = value.IsNormalized(NormalizationForm.FormC) ? value : value.Normalize(NormalizationForm.FormC);
        text = text.Trim();
        if (limit.MultiLine)
        {
            text = UnifyLineBreaks(text);
        }

        RefuseControls(text, field, limit.MultiLine);
        var length = CountCharacters(text);
        return length <= limit.MaxLength
            ? text
            : throw DomainException.Invalid(field, $"is {length} characters long; the limit is {limit.MaxLength}");
    }

    private static void RefuseMalformedUnicode(string value, string field)
    {
        var position = 0;
        for (var i = 0; i < value.Length; i++)
        {
            position++;
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                throw DomainException.Invalid(field, $"holds an unpaired surrogate {Code(c)} at character {position}: text must be well-formed Unicode");
            }

            if (c == '\uFFFD')
            {
                throw DomainException.Invalid(field,
                    $"holds U+FFFD (the replacement character) at character {position}: the text was damaged by an encoding error before it was sent; send it as valid UTF-8");
            }
        }
    }

    private static string UnifyLineBreaks(string text) =>
        text.AsSpan().IndexOfAny('\r', '\u2028', '\u2029') < 0
            ? text
            : text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Replace('\u2028', '\n').Replace('\u2029', '\n');

    private static void RefuseControls(string text, string field, bool multiLine)
    {
        var position = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            position++;
            var v = rune.Value;
            var lineBreakOrTab = v is '\n' or '\t' or '\r' or 0x2028 or 0x2029;
            if (lineBreakOrTab && !multiLine)
            {
                throw DomainException.Invalid(field, $"holds {Describe(v)} at character {position}: this field is a single line (no line breaks or tabs)");
            }

            if (!lineBreakOrTab && (v < 0x20 || v is >= 0x7F and <= 0x9F))
            {
                throw DomainException.Invalid(field, $"holds the control character {Describe(v)} at character {position}: control characters are not allowed in text");
            }

            if (v is (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069))
            {
                throw DomainException.Invalid(field, $"holds the bidirectional control {Describe(v)} at character {position}: it would make the text display as something else");
            }

            if (v is 0xFFFE or 0xFFFF)
            {
                throw DomainException.Invalid(field, $"holds the noncharacter {Describe(v)} at character {position}");
            }
        }
    }

    private static bool HasVisibleCharacter(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (!Rune.IsWhiteSpace(rune) && Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Format or UnicodeCategory.Control))
            {
                return true;
            }
        }

        return false;
    }

    private static int CountCharacters(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static string Describe(int codePoint) => codePoint switch
    {
        '\t' => "a tab (U+0009)",
        '\n' or '\r' or 0x2028 or 0x2029 => $"a line break ({Code(codePoint)})",
        _ => Code(codePoint),
    };

    private static string Code(int codePoint) => $"U+{codePoint:X4}";
}
