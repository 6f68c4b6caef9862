using System.Globalization;
using HazardGrid.Common;

namespace HazardGrid.Statistics;

/// <summary>The calendar periods statistics and the campaign's increment are counted over.</summary>
public enum PeriodKind
{
    Month = 1,
    Quarter = 2,
    Year = 3,
}

/// <summary>
/// A period of China calendar days as instants: [first day 00:00 +08:00, the day after the last
/// 00:00 +08:00). Months, quarters and years are counted in China time (001's monthly dispatch is
/// a Chinese month), so a hazard found at 2025-06-30 20:00 UTC belongs to July.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.StatisticsPeriod")]
public sealed record StatisticsPeriod(DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>Nothing before 2000 is recorded (found times before it are refused).</summary>
    public const int FirstYear = 2000;

    public const int LastYear = 9999;

    /// <summary>The longest date range: five years (of 365 days, plus two leap days).</summary>
    public const int MaxDays = (5 * 365) + 2;

    public static StatisticsPeriod Month(int year, int month, string field)
    {
        CheckYear(year, $"{field}.year");
        if (month is < 1 or > 12)
        {
            throw DomainException.Invalid($"{field}.month", $"{month} is not a month: 1 to 12");
        }

        var start = Midnight(new DateOnly(year, month, 1));
        return new(start, start.AddMonths(1));
    }

    public static StatisticsPeriod Quarter(int year, int quarter, string field)
    {
        CheckYear(year, $"{field}.year");
        if (quarter is < 1 or > 4)
        {
            throw DomainException.Invalid($"{field}.quarter", $"{quarter} is not a quarter: 1 to 4");
        }

        var start = Midnight(new DateOnly(year, ((quarter - 1) * 3) + 1, 1));
        return new(start, start.AddMonths(3));
    }

    public static StatisticsPeriod Year(int year, string field)
    {
        CheckYear(year, field);
        var start = Midnight(new DateOnly(year, 1, 1));
        return new(start, start.AddYears(1));
    }

    /// <summary>From the first day to the last, both included.</summary>
    public static StatisticsPeriod Dates(DateOnly first, DateOnly last, string field)
    {
        if (last < first)
        {
            throw DomainException.Invalid($"{field}.end_date", $"{Format(last)} is before the start date {Format(first)}");
        }

        var days = last.DayNumber - first.DayNumber + 1;
        if (days > MaxDays)
        {
            throw DomainException.Invalid($"{field}.end_date", $"the range {Format(first)} to {Format(last)} spans {days} days; at most {MaxDays} (five years)");
        }

        return new(Midnight(first), Midnight(last.AddDays(1)));
    }

    /// <summary>A calendar date from its parts, refused naming <paramref name="field"/> when there is no such day or it lies before 2000.</summary>
    public static DateOnly Date(int year, int month, int day, string field)
    {
        CheckYear(year, $"{field}.year");
        if (month is < 1 or > 12)
        {
            throw DomainException.Invalid($"{field}.month", $"{month} is not a month: 1 to 12");
        }

        if (day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            throw DomainException.Invalid($"{field}.day", $"{year:D4}-{month:D2} has no day {day}");
        }

        return new DateOnly(year, month, day);
    }

    /// <summary>The month, quarter or year (China time) that contains <paramref name="instant"/>.</summary>
    public static StatisticsPeriod Containing(PeriodKind kind, DateTimeOffset instant)
    {
        var local = ChinaTime.ToChina(instant);
        return kind switch
        {
            PeriodKind.Month => Month(local.Year, local.Month, "period"),
            PeriodKind.Quarter => Quarter(local.Year, ((local.Month - 1) / 3) + 1, "period"),
            PeriodKind.Year => Year(local.Year, "period"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a period kind"),
        };
    }

    /// <summary>The period of the same kind just before this one (which must be a whole month, quarter or year of that kind).</summary>
    public StatisticsPeriod Previous(PeriodKind kind)
    {
        var start = kind switch
        {
            PeriodKind.Month => Start.ToOffset(ChinaTime.Offset).AddMonths(-1),
            PeriodKind.Quarter => Start.ToOffset(ChinaTime.Offset).AddMonths(-3),
            PeriodKind.Year => Start.ToOffset(ChinaTime.Offset).AddYears(-1),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a period kind"),
        };
        return new(start, Start);
    }

    /// <summary>Where a count over this period stops: its end, or <paramref name="now"/> while it runs.</summary>
    public DateTimeOffset CountedUntil(DateTimeOffset now) => now < End ? now : End;

    public bool Contains(DateTimeOffset instant) => Start <= instant && instant < End;

    public override string ToString() => $"[{Format(Start)}, {Format(End)})";

    private static DateTimeOffset Midnight(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), ChinaTime.Offset);

    private static void CheckYear(int year, string field)
    {
        if (year == 0)
        {
            throw DomainException.Invalid(field, "is required");
        }

        if (year is < FirstYear or > LastYear)
        {
            throw DomainException.Invalid(field, $"{year} is outside {FirstYear} to {LastYear}: nothing before {FirstYear} is recorded");
        }
    }

    private static string Format(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Format(DateTimeOffset instant) => ChinaTime.ToChina(instant).ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);
}
