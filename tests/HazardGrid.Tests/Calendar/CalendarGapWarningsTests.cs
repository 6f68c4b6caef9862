using HazardGrid.Escalations;
using Microsoft.Extensions.Logging;
using Xunit;

namespace HazardGrid.Tests.Calendar;

public sealed class CalendarGapWarningsTests
{
    [Fact]
    public void A_year_beyond_the_calendar_is_warned_once_naming_it()
    {
        var logger = new Recorder();
        var warnings = new CalendarGapWarnings(EscalationPolicy.Standard, logger);

        warnings.Uncovered(2027);
        warnings.Uncovered(2027);
        warnings.Uncovered(2028);

        Assert.Equal(2, logger.Warnings.Count);
        Assert.Contains("in 2027, beyond the official working-day calendar (2004–2026)", logger.Warnings[0]);
        Assert.Contains("HazardGrid:Calendar:Files", logger.Warnings[0]);
        Assert.Contains("in 2028", logger.Warnings[1]);
    }

    private sealed class Recorder : ILogger<CalendarGapWarnings>
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings.Add(formatter(state, exception));
            }
        }
    }
}
