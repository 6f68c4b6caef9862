using HazardGrid.Common;

namespace HazardGrid.Silo.Hosting;

/// <summary>
/// The official working-day calendar as configured (<c>HazardGrid:Calendar</c>): the schedule
/// shipped with HazardGrid (2004–2026) plus files an operator adds for newer years, in the
/// chinese-days JSON format, read at start-up in order, each over the ones before. Example:
/// <code>
/// "Calendar": { "Files": [ "/etc/hazardgrid/calendar-2027.json" ] }
/// </code>
/// </summary>
public sealed class CalendarSettings
{
    public const string Section = "HazardGrid:Calendar";

    public List<string>? Files { get; set; }

    /// <summary>Reads the shipped calendar and the configured files; a bad file stops start-up, naming it.</summary>
    public static WorkingDayCalendar Load(IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section).Get<CalendarSettings>() ?? new CalendarSettings();
        var calendar = WorkingDayCalendar.Official;
        foreach (var (file, i) in (settings.Files ?? []).Select((f, i) => (f, i)))
        {
            try
            {
                calendar = calendar.Merge(WorkingDayCalendar.Parse(File.ReadAllText(file)));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or System.Text.Json.JsonException)
            {
                throw new InvalidOperationException(
                    $"The working-day calendar file '{file}' ({Section}:Files:{i}) cannot be used: {ex.Message}", ex);
            }
        }

        return calendar;
    }
}
