using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;

namespace HazardGrid.Common;

/// <summary>
/// China's official working days: Monday to Friday, less the public holidays, plus the weekend
/// days the State Council makes working days (调休), year by year from <see cref="FirstYear"/>
/// through <see cref="LastYear"/>. The schedule is published a year at a time, so a count that
/// runs past the last year cannot be known: <see cref="AddWorkingDays"/> and
/// <see cref="TryAddWorkingDays"/> refuse it, and <see cref="AddWorkingDaysProvisionally"/> counts
/// Monday to Friday there and says so. Shipped data: Common/Calendar/chinese-days.json (SOURCE.md);
/// operators add years with files in the same format (<see cref="Parse"/>, <see cref="Merge"/>).
/// </summary>
public sealed class WorkingDayCalendar
{
    private const string OfficialResource = "HazardGrid.Common.Calendar.chinese-days.json";

    // Days off, whatever the day of the week (a holiday on a weekend is harmless), and weekend days
    // that are working days. A date in both is refused when loaded.
    private readonly FrozenSet<DateOnly> _holidays;
    private readonly FrozenSet<DateOnly> _makeUpWorkingDays;

    private WorkingDayCalendar(FrozenSet<DateOnly> holidays, FrozenSet<DateOnly> makeUpWorkingDays, int firstYear, int lastYear)
    {
        _holidays = holidays;
        _makeUpWorkingDays = makeUpWorkingDays;
        FirstYear = firstYear;
        LastYear = lastYear;
    }

    /// <summary>The schedule shipped with HazardGrid (chinese-days 1.5.7: 2004 through 2026).</summary>
    public static WorkingDayCalendar Official { get; } = LoadOfficial();

    public int FirstYear { get; }

    public int LastYear { get; }

    public IReadOnlySet<DateOnly> Holidays => _holidays;

    public IReadOnlySet<DateOnly> MakeUpWorkingDays => _makeUpWorkingDays;

    public bool Covers(DateOnly date) => date.Year >= FirstYear && date.Year <= LastYear;

    /// <summary>Whether <paramref name="date"/> is a working day; a date outside the calendar is refused.</summary>
    public bool IsWorkingDay(DateOnly date) =>
        Covers(date) ? IsCoveredWorkingDay(date) : throw new CalendarRangeException(date.Year, this, $"Whether {date:yyyy-MM-dd} is a working day");

    /// <summary>
    /// Adds working days to an instant in China time, keeping its time of day; an instant on a day
    /// off first moves to the next working day (so 0 days is "the next working day, or today").
    /// Refused with <see cref="CalendarRangeException"/> if the count leaves the calendar.
    /// </summary>
    public DateTimeOffset AddWorkingDays(DateTimeOffset instant, int days)
    {
        var result = AddWorkingDaysProvisionally(instant, days);
        return result.UncoveredYear is { } year
            ? throw new CalendarRangeException(year, this, $"Counting {days} working days from {ChinaTime.ToChina(instant):yyyy-MM-dd}")
            : result.Due;
    }

    /// <summary>As <see cref="AddWorkingDays"/>, false instead of an exception when the count leaves the calendar.</summary>
    public bool TryAddWorkingDays(DateTimeOffset instant, int days, out DateTimeOffset due)
    {
        var result = AddWorkingDaysProvisionally(instant, days);
        due = result.Due;
        return !result.Provisional;
    }

    /// <summary>
    /// As <see cref="AddWorkingDays"/>, but days outside the calendar count Monday to Friday and the
    /// result is flagged <see cref="WorkingDayResult.Provisional"/>, naming the first year not covered:
    /// for automatic steps, which must fall due at some time rather than never.
    /// </summary>
    public WorkingDayResult AddWorkingDaysProvisionally(DateTimeOffset instant, int days)
    {
        var local = ChinaTime.ToChina(instant);
        int? uncovered = null;
        bool Working(DateTimeOffset day)
        {
            var date = DateOnly.FromDateTime(day.DateTime);
            if (Covers(date))
            {
                return IsCoveredWorkingDay(date);
            }

            uncovered ??= date.Year;
            return date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
        }

        while (!Working(local))
        {
            local = local.AddDays(1);
        }

        for (var added = 0; added < days;)
        {
            local = local.AddDays(1);
            if (Working(local))
            {
                added++;
            }
        }

        return new WorkingDayResult(local.ToOffset(instant.Offset), uncovered);
    }

    /// <summary>
    /// This calendar with the days of <paramref name="newer"/> added: its years join the calendar
    /// (a date it lists replaces what this one says of that date). The years must still run without
    /// a gap, or a count across the gap would silently be Monday to Friday.
    /// </summary>
    public WorkingDayCalendar Merge(WorkingDayCalendar newer)
    {
        var first = Math.Min(FirstYear, newer.FirstYear);
        var last = Math.Max(LastYear, newer.LastYear);
        if (newer.FirstYear > LastYear + 1 || newer.LastYear < FirstYear - 1)
        {
            throw new FormatException(
                $"The added calendar covers {newer.FirstYear}–{newer.LastYear}, leaving a gap next to {FirstYear}–{LastYear}; add the years between as well");
        }

        var holidays = _holidays.Where(d => !newer._makeUpWorkingDays.Contains(d)).Concat(newer._holidays);
        var makeUp = _makeUpWorkingDays.Where(d => !newer._holidays.Contains(d)).Concat(newer._makeUpWorkingDays);
        return new WorkingDayCalendar(holidays.ToFrozenSet(), makeUp.ToFrozenSet(), first, last);
    }

    /// <summary>
    /// Reads a calendar in the chinese-days JSON format: <c>{"holidays": {"yyyy-MM-dd": "...", ...},
    /// "workdays": {...}}</c> (other members, such as <c>inLieuDays</c>, are ignored). It covers the
    /// years its dates fall in, which must run without a gap; every problem is a <see cref="FormatException"/>.
    /// </summary>
    public static WorkingDayCalendar Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("A working-day calendar is a JSON object with 'holidays' and 'workdays'");
        }

        var holidays = Dates(document.RootElement, "holidays");
        var makeUp = Dates(document.RootElement, "workdays");
        if (holidays.Intersect(makeUp).Order().ToList() is [var both, ..])
        {
            throw new FormatException($"{both:yyyy-MM-dd} is both a holiday and a make-up working day");
        }

        if (makeUp.Where(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)).Order().ToList() is [var weekday, ..])
        {
            throw new FormatException($"{weekday:yyyy-MM-dd} is listed as a make-up working day but is a {weekday.DayOfWeek}, a working day anyway");
        }

        var years = holidays.Concat(makeUp).Select(d => d.Year).ToHashSet();
        if (years.Count == 0)
        {
            throw new FormatException("The calendar lists no holidays, so it covers no year");
        }

        var (first, last) = (years.Min(), years.Max());
        if (Enumerable.Range(first, last - first + 1).Where(y => !years.Contains(y)).ToList() is [var gap, ..])
        {
            throw new FormatException($"The calendar covers {first}–{last} but lists nothing for {gap}");
        }

        return new WorkingDayCalendar(holidays.ToFrozenSet(), makeUp.ToFrozenSet(), first, last);
    }

    private bool IsCoveredWorkingDay(DateOnly date) =>
        _makeUpWorkingDays.Contains(date)
        || (!_holidays.Contains(date) && date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday));

    private static HashSet<DateOnly> Dates(JsonElement root, string member)
    {
        var dates = new HashSet<DateOnly>();
        if (!root.TryGetProperty(member, out var map))
        {
            return dates;
        }

        if (map.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"'{member}' must be an object keyed by date (yyyy-MM-dd)");
        }

        foreach (var day in map.EnumerateObject())
        {
            if (!DateOnly.TryParseExact(day.Name, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                throw new FormatException($"'{member}' has '{day.Name}', not a date yyyy-MM-dd");
            }

            dates.Add(date);
        }

        return dates;
    }

    private static WorkingDayCalendar LoadOfficial()
    {
        using var stream = typeof(WorkingDayCalendar).Assembly.GetManifestResourceStream(OfficialResource)
            ?? throw new InvalidOperationException($"Embedded resource {OfficialResource} is missing");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }
}

/// <summary>
/// A count of working days: when it falls due, and the first year it counted Monday to Friday for
/// want of the official schedule (null when the calendar covered every day counted).
/// </summary>
public sealed record WorkingDayResult(DateTimeOffset Due, int? UncoveredYear)
{
    /// <summary>Whether <see cref="Due"/> may move once the schedule for <see cref="UncoveredYear"/> is added.</summary>
    public bool Provisional => UncoveredYear is not null;
}

/// <summary>A working-day count or question that reaches a year the official calendar does not cover.</summary>
public sealed class CalendarRangeException(int year, WorkingDayCalendar calendar, string what)
    : Exception(
        $"{what} needs the official working-day calendar for {year}, but it covers {calendar.FirstYear} through {calendar.LastYear}. "
        + $"An operator adds {year} with a file of its holidays and make-up working days in the chinese-days JSON format "
        + "({\"holidays\": {\"yyyy-MM-dd\": \"...\"}, \"workdays\": {...}}) named in configuration HazardGrid:Calendar:Files, then restarts the silo.")
{
    /// <summary>The first year needed that the calendar does not cover.</summary>
    public int Year { get; } = year;
}
