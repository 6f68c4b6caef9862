using Google.Protobuf.WellKnownTypes;
using HazardGrid.Api.V1;
using HazardGrid.Common;
using HazardGrid.Escalations;
using HazardGrid.Tests.Escalation;
using HazardGrid.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using EscalationStep = HazardGrid.Api.V1.EscalationStep;
using Sector = HazardGrid.Api.V1.Sector;

namespace HazardGrid.Tests.Calendar;

/// <summary>
/// A ladder counted in working days, over the API of the whole service on a test clock: its steps
/// fall on China's official working days (the 2026 Spring Festival and its make-up Saturdays), and
/// one counted past the calendar's last year is shown as provisional, never silently as certain.
/// </summary>
public sealed class WorkingDayLadderApiTests : IDisposable
{
    private static readonly TimeSpan China = ChinaTime.Offset;

    private readonly string _data = Path.Combine(Path.GetTempPath(), "hazardgrid-workdays-" + Guid.NewGuid().ToString("N"));

    // Monday 2026-02-02, before the Spring Festival.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 2, 2, 9, 0, 0, China));

    private static EscalationPolicy WorkingDayLadder { get; } = EscalationPolicy.Standard with
    {
        Default = EscalationPolicy.Standard.Default with { WorkingDays = true },
    };

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task Working_day_steps_skip_the_2026_Spring_Festival_count_its_make_up_Saturdays_and_are_provisional_past_the_calendar()
    {
        await using var service = await LadderService.StartAsync(_data, _time, WorkingDayLadder);
        var town = TestData.TownsOf("370406", 3)[2];
        var enterprise = await service.Enterprises.RegisterEnterpriseAsync(new RegisterEnterpriseRequest { Enterprise = TestData.NewEnterprise(town, Sector.Gas), RequestId = TestData.NewRequestId() });

        // Friday 2026-02-13, the last working day before the festival (off 02-15 … 02-23).
        var beforeFestival = new DateTimeOffset(2026, 2, 13, 17, 0, 0, China);
        // Wednesday 2026-12-30: seven working days later lie in 2027, beyond the shipped calendar.
        var yearEnd = new DateTimeOffset(2026, 12, 30, 17, 0, 0, China);
        var festival = await Listed(service, enterprise.CreditCode, "WD-1", beforeFestival);
        var pastCalendar = await Listed(service, enterprise.CreditCode, "WD-2", yearEnd);

        var ladder = (await Get(service, festival)).Ladder;
        Assert.Equal((EscalationStep.WarningLetter, beforeFestival, false), (ladder.NextStep, ladder.NextDueTime.ToDateTimeOffset(), ladder.NextDueProvisional));

        // The letter fires at the deadline; the circular is 7 working days on: Sat 02-14 (make-up),
        // Tue 02-24 … Fri 02-27, Sat 02-28 (make-up), Mon 03-02. Weekdays only would give Tue 02-24.
        _time.Advance(beforeFestival - _time.GetUtcNow() + TimeSpan.FromMinutes(1));
        var lettered = await Eventually.Until(() => Get(service, festival), h => h.Escalations.Count == 1, "the warning letter at the deadline");
        Assert.Equal(EscalationStep.WarningLetter, lettered.Escalations[0].Step);
        Assert.Equal(
            (EscalationStep.Circular, new DateTimeOffset(2026, 3, 2, 17, 0, 0, China), false),
            (lettered.Ladder.NextStep, lettered.Ladder.NextDueTime.ToDateTimeOffset(), lettered.Ladder.NextDueProvisional));

        // At the year's end: the circular of the second hazard counts Thu 12-31 in the calendar, then
        // 2027 Monday to Friday (Fri 01-01, Mon 01-04 … Fri 01-08), flagged provisional.
        _time.Advance(yearEnd - _time.GetUtcNow() + TimeSpan.FromMinutes(1));
        var late = await Eventually.Until(() => Get(service, pastCalendar), h => h.Escalations.Count == 1, "the second hazard's warning letter");
        Assert.Equal(
            (EscalationStep.Circular, new DateTimeOffset(2027, 1, 8, 17, 0, 0, China), true),
            (late.Ladder.NextStep, late.Ladder.NextDueTime.ToDateTimeOffset(), late.Ladder.NextDueProvisional));
    }

    private async Task<string> Listed(LadderService service, string creditCode, string criterion, DateTimeOffset deadline)
    {
        var reported = await service.Hazards.ReportHazardAsync(new ReportHazardRequest
        {
            Parent = $"enterprises/{creditCode}",
            Hazard = ApiDriver.Finding(ReportChannel.Inspection, Sector.Gas, criterion, $"{criterion} 位置", _time.GetUtcNow().AddDays(-1)),
            RequestId = TestData.NewRequestId(),
        });
        await service.Hazards.StartRectificationAsync(new StartRectificationRequest
        {
            Name = reported.Hazard.Name,
            Deadline = Timestamp.FromDateTimeOffset(deadline),
            Plan = "整改",
            RequestId = TestData.NewRequestId(),
        });
        return reported.Hazard.Name;
    }

    private static Task<Hazard> Get(LadderService service, string name) =>
        service.Hazards.GetHazardAsync(new GetHazardRequest { Name = name }).ResponseAsync;
}
