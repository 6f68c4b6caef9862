using System.Collections.Concurrent;
using HazardGrid.Common;
using Microsoft.Extensions.Logging;

namespace HazardGrid.Escalations;

/// <summary>
/// Warns an operator, once per year per silo, that working-day ladder steps fall due in a year the
/// official calendar does not cover and were counted Monday to Friday (provisional): every town
/// plans its ladder often, and one line is enough to ask for the year's schedule.
/// </summary>
public sealed class CalendarGapWarnings(EscalationPolicy policy, ILogger<CalendarGapWarnings> logger)
{
    private readonly ConcurrentDictionary<int, bool> _warned = new();

    public void Uncovered(int year)
    {
        if (_warned.TryAdd(year, true))
        {
            logger.LogWarning(
                "Working-day ladder steps fall due in {Year}, beyond the official working-day calendar ({FirstYear}–{LastYear}); "
                + "they are counted Monday to Friday until {Year}'s holidays and make-up working days are added "
                + "(a chinese-days JSON file named in HazardGrid:Calendar:Files, then a restart)",
                year, policy.Calendar.FirstYear, policy.Calendar.LastYear, year);
        }
    }
}
