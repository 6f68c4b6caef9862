using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Escalations;
using HazardGrid.Hazards;
using HazardGrid.Rollups;
using HazardGrid.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace HazardGrid.Tests.Calendar;

/// <summary>
/// The official working-day calendar as shipped (chinese-days 1.5.7) and as extended by an
/// operator. The expected dates are counted by hand from the State Council's schedules: 2026
/// Spring Festival off Sun 02-15 through Mon 02-23, working Sat 02-14 and Sat 02-28; 2025 National
/// Day off Wed 10-01 through Wed 10-08, working Sun 09-28 and Sat 10-11.
/// </summary>
public sealed class WorkingDayCalendarTests
{
    private static readonly WorkingDayCalendar s_official = WorkingDayCalendar.Official;

    private static DateTimeOffset China(int year, int month, int day, int hour = 10) => new(year, month, day, hour, 0, 0, ChinaTime.Offset);

    [Fact]
    public void The_shipped_calendar_covers_2004_through_2026()
    {
        Assert.Equal((2004, 2026), (s_official.FirstYear, s_official.LastYear));
        Assert.False(s_official.IsWorkingDay(new DateOnly(2004, 1, 1))); // New Year's Day, a Thursday
    }

    [Fact]
    public void The_2026_Spring_Festival_is_off_and_its_make_up_Saturdays_are_working_days()
    {
        for (var day = new DateOnly(2026, 2, 15); day <= new DateOnly(2026, 2, 23); day = day.AddDays(1))
        {
            Assert.False(s_official.IsWorkingDay(day), $"{day} is in the Spring Festival holiday");
        }

        Assert.True(s_official.IsWorkingDay(new DateOnly(2026, 2, 14)));
        Assert.True(s_official.IsWorkingDay(new DateOnly(2026, 2, 28)));
        Assert.False(s_official.IsWorkingDay(new DateOnly(2026, 3, 1))); // an ordinary Sunday
        Assert.True(s_official.IsWorkingDay(new DateOnly(2026, 2, 24)));
    }

    [Theory]
    // From Thursday 2026-02-12: Fri 13 (1), Sat 14 make-up (2), holiday 15–23, Tue 24 (3) ... Fri 27 (6), Sat 28 make-up (7), Mon 03-02 (8).
    [InlineData(1, 2, 13)]
    [InlineData(2, 2, 14)]
    [InlineData(3, 2, 24)]
    [InlineData(6, 2, 27)]
    [InlineData(7, 2, 28)]
    [InlineData(8, 3, 2)]
    public void A_count_across_the_2026_Spring_Festival_lands_on_the_official_working_day(int days, int month, int day)
    {
        var due = s_official.AddWorkingDays(China(2026, 2, 12, 17), days);

        Assert.Equal(China(2026, month, day, 17), due);
    }

    [Fact]
    public void A_start_inside_the_holiday_moves_to_the_first_working_day_after_it()
    {
        Assert.Equal(China(2026, 2, 24), s_official.AddWorkingDays(China(2026, 2, 18), 0));
        Assert.Equal(China(2026, 2, 25), s_official.AddWorkingDays(China(2026, 2, 18), 1));
    }

    [Theory]
    // From Friday 2025-09-26: Sun 09-28 make-up (1), Mon 29 (2), Tue 30 (3), holiday 10-01..08, Thu 10-09 (4), Fri 10 (5), Sat 11 make-up (6), Mon 13 (7).
    [InlineData(1, 9, 28)]
    [InlineData(3, 9, 30)]
    [InlineData(4, 10, 9)]
    [InlineData(6, 10, 11)]
    [InlineData(7, 10, 13)]
    public void A_count_across_National_Day_2025_lands_on_the_official_working_day(int days, int month, int day)
    {
        Assert.Equal(China(2025, month, day), s_official.AddWorkingDays(China(2025, 9, 26), days));
    }

    [Fact]
    public void The_instant_keeps_its_offset_and_is_counted_in_China_time()
    {
        // 2026-02-13 20:00 UTC is Saturday 2026-02-14 04:00 in China, a make-up working day: +1 is Tuesday 02-24.
        var utc = new DateTimeOffset(2026, 2, 13, 20, 0, 0, TimeSpan.Zero);

        var due = s_official.AddWorkingDays(utc, 1);

        Assert.Equal(TimeSpan.Zero, due.Offset);
        Assert.Equal(new DateTimeOffset(2026, 2, 23, 20, 0, 0, TimeSpan.Zero), due);
    }

    [Fact]
    public void A_count_past_the_last_year_is_refused_naming_the_year_and_how_to_add_it()
    {
        // Thursday 2026-12-24 + 5: Fri 25, Mon 28 .. Thu 31, still 2026; + 6 needs 2027.
        Assert.Equal(China(2026, 12, 31), s_official.AddWorkingDays(China(2026, 12, 24), 5));

        var ex = Assert.Throws<CalendarRangeException>(() => s_official.AddWorkingDays(China(2026, 12, 24), 6));

        Assert.Equal(2027, ex.Year);
        Assert.Contains("for 2027", ex.Message);
        Assert.Contains("2004 through 2026", ex.Message);
        Assert.Contains("HazardGrid:Calendar:Files", ex.Message);
        Assert.False(s_official.TryAddWorkingDays(China(2026, 12, 24), 6, out _));
        Assert.Throws<CalendarRangeException>(() => s_official.IsWorkingDay(new DateOnly(2027, 1, 4)));
    }

    [Fact]
    public void The_fallback_past_the_last_year_counts_Monday_to_Friday_and_is_flagged()
    {
        var covered = s_official.AddWorkingDaysProvisionally(China(2026, 12, 24), 5);
        var beyond = s_official.AddWorkingDaysProvisionally(China(2026, 12, 24), 7);

        Assert.Equal(new WorkingDayResult(China(2026, 12, 31), null), covered);
        Assert.False(covered.Provisional);
        Assert.Equal(China(2027, 1, 4), beyond.Due); // Fri 2027-01-01 (6), Mon 01-04 (7)
        Assert.True(beyond.Provisional);
        Assert.Equal(2027, beyond.UncoveredYear);
    }

    [Fact]
    public void An_operator_file_adds_a_year_without_a_rebuild()
    {
        // Test data, not the official 2027 schedule: New Year's Day off and one make-up Saturday.
        var file = Path.Combine(Path.GetTempPath(), $"hazardgrid-calendar-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """
            {"holidays": {"2027-01-01": "New Year's Day,元旦,1"}, "workdays": {"2027-01-09": "test,测试,1"}, "inLieuDays": {}}
            """);
        try
        {
            var calendar = CalendarSettings.Load(new ConfigurationBuilder()
                .AddInMemoryCollection([KeyValuePair.Create<string, string?>("HazardGrid:Calendar:Files:0", file)])
                .Build());

            Assert.Equal((2004, 2027), (calendar.FirstYear, calendar.LastYear));
            // Thu 2026-12-24: Fri 25 (1), Mon 28 .. Thu 31 (5), 2027-01-01 off, Mon 01-04 (6), Fri 01-08 (10), Sat 01-09 make-up (11).
            Assert.Equal(China(2027, 1, 4), calendar.AddWorkingDays(China(2026, 12, 24), 6));
            Assert.Equal(China(2027, 1, 9), calendar.AddWorkingDays(China(2026, 12, 24), 11));
            Assert.Equal(China(2026, 3, 2), calendar.AddWorkingDays(China(2026, 2, 12), 8)); // the shipped years stay
            Assert.Throws<CalendarRangeException>(() => calendar.AddWorkingDays(China(2027, 12, 30), 2));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void An_operator_file_that_leaves_a_gap_or_is_not_a_calendar_stops_start_up_naming_it()
    {
        var file = Path.Combine(Path.GetTempPath(), $"hazardgrid-calendar-{Guid.NewGuid():N}.json");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([KeyValuePair.Create<string, string?>("HazardGrid:Calendar:Files:0", file)])
            .Build();
        try
        {
            File.WriteAllText(file, """{"holidays": {"2028-01-01": "New Year's Day,元旦,1"}, "workdays": {}}""");
            var gap = Assert.Throws<InvalidOperationException>(() => CalendarSettings.Load(configuration));
            Assert.Contains(file, gap.Message);
            Assert.Contains("gap", gap.Message);

            File.WriteAllText(file, """{"holidays": {"2027-13-01": "?"}}""");
            var bad = Assert.Throws<InvalidOperationException>(() => CalendarSettings.Load(configuration));
            Assert.Contains("'2027-13-01', not a date", bad.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_working_day_ladder_counts_in_the_calendar_and_flags_a_step_beyond_it()
    {
        var ladder = new Ladder(null, null, true,
        [
            new(EscalationStep.WarningLetter, 0, false, null),
            new(EscalationStep.Circular, 3, false, null),
        ]);
        var policy = EscalationPolicy.Standard with { Default = ladder };

        // Deadline Thursday 2026-02-12: the circular is due 3 working days later, Tue 02-24 (Mon–Fri alone would say Tue 02-17).
        var circular = policy.NextRung(Rectifying(China(2026, 2, 12, 17), EscalationStep.WarningLetter));
        Assert.Equal((EscalationStep.Circular, China(2026, 2, 24, 17), false), (circular!.Rung.Step, circular.DueAt, circular.Provisional));

        // Deadline Tuesday 2026-12-29: Wed 30, Thu 31, then 2027 counted Monday to Friday, flagged.
        var beyond = policy.NextRung(Rectifying(China(2026, 12, 29, 17), EscalationStep.WarningLetter));
        Assert.Equal((China(2027, 1, 1, 17), 2027), (beyond!.DueAt, beyond.UncoveredYear));

        // A calendar-day ladder is not affected by holidays.
        var calendarDays = (EscalationStep.Circular, China(2026, 2, 15, 17));
        var plain = (policy with { Default = ladder with { WorkingDays = false } }).NextRung(Rectifying(China(2026, 2, 12, 17), EscalationStep.WarningLetter));
        Assert.Equal(calendarDays, (plain!.Rung.Step, plain.DueAt));
    }

    [Fact]
    public void The_configured_policy_counts_in_the_configured_calendar()
    {
        var file = Path.Combine(Path.GetTempPath(), $"hazardgrid-calendar-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """{"holidays": {"2027-01-01": "New Year's Day,元旦,1"}, "workdays": {}}""");
        try
        {
            using var services = new ServiceCollection()
                .AddHazardGridDomain(new ConfigurationBuilder()
                    .AddInMemoryCollection(
                    [
                        KeyValuePair.Create<string, string?>("HazardGrid:Calendar:Files:0", file),
                        KeyValuePair.Create<string, string?>("HazardGrid:Escalation:WorkingDays", "true"),
                    ])
                    .Build())
                .BuildServiceProvider();
            var policy = services.GetRequiredService<EscalationPolicy>();

            Assert.Equal(2027, policy.Calendar.LastYear);
            // Circular +7 working days from Thursday 2026-12-24: Fri 25, Mon 28 .. Thu 31, 2027-01-01 off, Mon 04, Tue 05.
            var circular = policy.NextRung(Rectifying(China(2026, 12, 24, 17), EscalationStep.WarningLetter));
            Assert.Equal((EscalationStep.Circular, China(2027, 1, 5, 17), false), (circular!.Rung.Step, circular.DueAt, circular.Provisional));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static HazardFacts Rectifying(DateTimeOffset deadline, params EscalationStep[] fired) =>
        new("hazard-1", 1, "914403001922038216", "370406001", Sector.Chemicals, HazardStatus.Rectifying, deadline.AddDays(-30), deadline, null,
            SupervisionLevel.County, [.. fired.Select(s => new EscalationRecord(s, deadline, deadline, "automatic"))]);
}
