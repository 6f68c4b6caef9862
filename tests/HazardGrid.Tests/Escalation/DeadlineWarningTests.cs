using Google.Protobuf.WellKnownTypes;
using HazardGrid.Api.V1;
using HazardGrid.Escalations;
using HazardGrid.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using EscalationStep = HazardGrid.Api.V1.EscalationStep;
using Sector = HazardGrid.Api.V1.Sector;

namespace HazardGrid.Tests.Escalation;

/// <summary>
/// The deadline warning (issue 11 part 3) and the ladder snapshot (part 4), over the API of a
/// whole service that is stopped and started again on the same SQLite file, on a test clock.
/// </summary>
public sealed class DeadlineWarningTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "hazardgrid-ladder-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(ClusterFixture.Start);

    /// <summary>The standard ladder with the default warning first: 7 days or 20% of the
    /// rectification period before the deadline, whichever is later.</summary>
    private static EscalationPolicy WithWarning => DeadlineWarningCluster.WithWarning;

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task A_deadline_warning_fires_once_at_its_moment_and_one_due_while_the_service_was_down_fires_once_after_it_comes_back()
    {
        var town = TestData.TownsOf("370406", 2)[1];
        var start = _time.GetUtcNow();

        // Deadlines 5, 10 and 15 days away: the warnings fall due 1, 2 and 3 days before them (20%
        // of the period is later than 7 days before), i.e. on days 4, 8 and 12.
        var deadlines = new[] { start.AddDays(5), start.AddDays(10), start.AddDays(15) };
        var warnings = new[] { start.AddDays(4), start.AddDays(8), start.AddDays(12) };
        string[] names;
        Api.V1.Enterprise enterprise;
        DateTimeOffset firstFiredAt;
        await using (var first = await LadderService.StartAsync(_data, _time, WithWarning))
        {
            enterprise = await first.Enterprises.RegisterEnterpriseAsync(new RegisterEnterpriseRequest { Enterprise = TestData.NewEnterprise(town, Sector.Gas), RequestId = TestData.NewRequestId() });
            names = new string[deadlines.Length];
            for (var i = 0; i < deadlines.Length; i++)
            {
                names[i] = await Listed(first, enterprise.CreditCode, $"W-{i}", deadlines[i]);
            }

            var ladder = (await Get(first, names[0])).Ladder;
            Assert.Equal((EscalationStep.DeadlineWarning, warnings[0]), (ladder.NextStep, ladder.NextDueTime.ToDateTimeOffset()));

            // Day 4 (plus a minute): hazard 1's warning fires on the town's clock check, and only it.
            _time.Advance(warnings[0] - start + TimeSpan.FromMinutes(1));
            firstFiredAt = _time.GetUtcNow();
            await Eventually.Until(() => Get(first, names[0]), h => h.Escalations.Count == 1, "hazard 1's deadline warning");
            var warned = await Get(first, names[0]);
            Assert.Equal((EscalationStep.WarningLetter, deadlines[0]), (warned.Ladder.NextStep, warned.Ladder.NextDueTime.ToDateTimeOffset()));
            var notices = (await first.Enterprises.ListNotificationsAsync(new ListNotificationsRequest { Parent = enterprise.Name })).Notifications
                .Where(n => n.Hazard == names[0] && n.Id.Contains("DeadlineWarning", StringComparison.Ordinal)).ToList();
            Assert.Equal([RecipientRole.Principal, RecipientRole.SupervisingOffice], notices.Select(n => n.RecipientRole).Order());
            Assert.All(notices, n => Assert.Contains("整改期限将至", n.Message));
            await Eventually.Holds(
                async () => Assert.Equal(1, (await first.Regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" })).Figures.DeadlineWarningsThisMonth),
                "the province to count the warning");
        }

        // Down from day 4 to day 9: hazard 1's deadline (day 5, its letter) and hazard 2's warning
        // (day 8) pass while nothing runs.
        _time.Advance(TimeSpan.FromDays(5));
        var restartedAt = _time.GetUtcNow();
        await using var second = await LadderService.StartAsync(_data, _time, WithWarning);
        await Eventually.Until(
            () => Task.WhenAll(names.Select(n => Get(second, n))),
            hazards => hazards[0].Escalations.Count == 2 && hazards[1].Escalations.Count == 1,
            "hazard 1's letter and hazard 2's warning, due while nothing ran", TimeSpan.FromSeconds(30));

        // The witness (as in RestartCatchUpTests): day 12 brings hazard 1's circular (its deadline
        // + 7 days), hazard 2's letter (day 10) and hazard 3's warning, asked on a clock check after the catch-up; once they fired and the
        // enterprise answered a later call, any repeated request from before has been handled.
        _time.Advance(warnings[2] - _time.GetUtcNow() + TimeSpan.FromMinutes(1));
        var witnessedAt = _time.GetUtcNow();
        await Eventually.Until(() => Get(second, names[2]), h => h.Escalations.Count == 1, "hazard 3's warning");
        await Eventually.Until(() => Get(second, names[1]), h => h.Escalations.Count == 2, "hazard 2's letter");
        await Eventually.Until(() => Get(second, names[0]), h => h.Escalations.Count == 3, "hazard 1's circular");
        await second.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = enterprise.Name });

        var expected = new[]
        {
            new[] { (EscalationStep.DeadlineWarning, warnings[0], firstFiredAt), (EscalationStep.WarningLetter, deadlines[0], restartedAt), (EscalationStep.Circular, deadlines[0].AddDays(7), witnessedAt) },
            [(EscalationStep.DeadlineWarning, warnings[1], restartedAt), (EscalationStep.WarningLetter, deadlines[1], witnessedAt)],
            [(EscalationStep.DeadlineWarning, warnings[2], witnessedAt)],
        };
        var notifications = (await second.Enterprises.ListNotificationsAsync(new ListNotificationsRequest { Parent = enterprise.Name })).Notifications;
        for (var i = 0; i < names.Length; i++)
        {
            var hazard = await Get(second, names[i]);
            Assert.Equal(expected[i], hazard.Escalations.Select(e => (e.Step, e.DueTime.ToDateTimeOffset(), e.FireTime.ToDateTimeOffset())));
            Assert.Equal(expected[i].Length, hazard.Trail.Count(t => t.Action == TrailAction.Escalated));
            Assert.Equal(2, notifications.Count(n => n.Hazard == names[i] && n.Id.Contains("DeadlineWarning", StringComparison.Ordinal)));
        }

        // Three warnings, two letters and a circular this month, wherever they are counted.
        foreach (var region in new[] { town, "370406", "3704", "37" })
        {
            await Eventually.Holds(async () =>
            {
                var figures = (await second.Regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = $"regions/{region}" })).Figures;
                Assert.Equal((3, 2, 1, 2), (figures.DeadlineWarningsThisMonth, figures.WarningLettersThisMonth, figures.CircularsThisMonth, figures.Overdue));
            }, $"region {region} to count the warnings");
        }
    }

    [Fact]
    public async Task A_policy_change_leaves_running_hazards_on_their_old_ladder_until_a_supervisor_re_plans_them()
    {
        const string county = "370406";
        var town = TestData.TownsOf(county, 3)[2];
        var start = _time.GetUtcNow();
        var deadline = start.AddDays(10); // with the warning: due day 8 (20% of 10 days before)
        string code;
        string replanned, kept;
        await using (var first = await LadderService.StartAsync(_data, _time, EscalationPolicy.Standard))
        {
            code = (await first.Enterprises.RegisterEnterpriseAsync(new RegisterEnterpriseRequest { Enterprise = TestData.NewEnterprise(town, Sector.Gas), RequestId = TestData.NewRequestId() })).CreditCode;
            replanned = await Listed(first, code, "P-1", deadline);
            kept = await Listed(first, code, "P-2", deadline);
            Assert.Equal(1, (await Get(first, kept)).LadderVersion);        }

        // The service comes back with a policy that warns before the deadline: a new version.
        await using var second = await LadderService.StartAsync(_data, _time, WithWarning);
        var listedNow = await Listed(second, code, "P-3", deadline);
        var (old, fresh) = (await Get(second, kept), await Get(second, listedNow));
        Assert.Equal((1, EscalationStep.WarningLetter, deadline), (old.LadderVersion, old.Ladder.NextStep, old.Ladder.NextDueTime.ToDateTimeOffset()));
        Assert.Equal((2, EscalationStep.DeadlineWarning, start.AddDays(8)), (fresh.LadderVersion, fresh.Ladder.NextStep, fresh.Ladder.NextDueTime.ToDateTimeOffset()));

        // Only a supervisor at (or above) the listing level re-plans, and the trail says from what to what.
        var denied = await ApiDriver.Refusal(() => second.Hazards.ReplanHazardAsync(Replan(replanned)).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.PermissionDenied, denied.Code);
        var moved = await second.Supervisor(county).ReplanHazardAsync(Replan(replanned));
        Assert.Equal(2, moved.LadderVersion);
        var trail = (await Get(second, replanned)).Trail.Last();
        Assert.Equal(TrailAction.LadderReplanned, trail.Action);
        Assert.Contains("version 1 → 2", trail.Detail);
        Assert.Equal((EscalationStep.DeadlineWarning, start.AddDays(8)), ((await Get(second, replanned)).Ladder.NextStep, (await Get(second, replanned)).Ladder.NextDueTime.ToDateTimeOffset()));
        var again = await ApiDriver.Refusal(() => second.Supervisor(county).ReplanHazardAsync(Replan(replanned)).ResponseAsync);
        Assert.Equal((Grpc.Core.StatusCode.FailedPrecondition, "name"), (again.Code, again.Field));

        // Day 8: the re-planned and the new hazard are warned; the one left on version 1 is not.
        // Day 10: all three get their letter; the kept hazard's ladder never held a warning.
        _time.Advance(TimeSpan.FromDays(8) + TimeSpan.FromMinutes(1));
        foreach (var name in new[] { replanned, listedNow })
        {
            await Eventually.Until(() => Get(second, name), h => h.Escalations.Count == 1, $"the warning of {name}");
        }

        _time.Advance(TimeSpan.FromDays(2));
        await Eventually.Until(
            () => Task.WhenAll(new[] { replanned, kept, listedNow }.Select(n => Get(second, n))),
            hazards => hazards.All(h => h.Escalations.Any(e => e.Step == EscalationStep.WarningLetter)),
            "every letter");
        Assert.Equal([EscalationStep.WarningLetter], (await Get(second, kept)).Escalations.Select(e => e.Step));
        Assert.Equal([EscalationStep.DeadlineWarning, EscalationStep.WarningLetter], (await Get(second, replanned)).Escalations.Select(e => e.Step));
        Assert.Equal(1, (await Get(second, kept)).LadderVersion);
    }

    private static ReplanHazardRequest Replan(string name) => new()
    {
        Name = name, Reason = "新的升级规则适用于本隐患", DecidedBy = "县应急局 刘科长", RequestId = TestData.NewRequestId(),
    };

    private static Task<Hazard> Get(LadderService service, string name) => service.Hazards.GetHazardAsync(new GetHazardRequest { Name = name }).ResponseAsync;

    /// <summary>Reports an inspection finding (county listing) and starts its rectification now.</summary>
    private async Task<string> Listed(LadderService service, string creditCode, string criterion, DateTimeOffset deadline)
    {
        var reported = await service.Hazards.ReportHazardAsync(new ReportHazardRequest
        {
            Parent = $"enterprises/{creditCode}",
            Hazard = ApiDriver.Finding(ReportChannel.Inspection, Sector.Gas, criterion, "调压站", _time.GetUtcNow().AddDays(-1)),
            RequestId = TestData.NewRequestId(),
        });
        await service.Hazards.StartRectificationAsync(new StartRectificationRequest
        {
            Name = reported.Hazard.Name, Deadline = Timestamp.FromDateTimeOffset(deadline), Plan = "更换调压设备", RequestId = TestData.NewRequestId(),
        });
        return reported.Hazard.Name;
    }
}
