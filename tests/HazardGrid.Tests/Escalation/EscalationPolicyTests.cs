using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Escalations;
using HazardGrid.Silo.Hosting;
using HazardGrid.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace HazardGrid.Tests.Escalation;

public sealed class EscalationPolicyTests
{
    private static EscalationPolicy Load(params (string Key, string Value)[] settings) =>
        EscalationSettings.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create<string, string?>("HazardGrid:Escalation:" + s.Key, s.Value)))
            .Build());

    [Fact]
    public void Without_configuration_the_policy_is_the_directives_ladder_after_a_deadline_warning()
    {
        var policy = Load();
        Assert.Equal(
            [(EscalationStep.DeadlineWarning, -7), (EscalationStep.WarningLetter, 0), (EscalationStep.Circular, 7), (EscalationStep.Summons, 14), (EscalationStep.PublicExposure, 30), (EscalationStep.AccidentInvestigation, 90)],
            policy.Default.Rungs.Select(r => (r.Step, r.Days)));
        Assert.Equal(LadderRung.DefaultWarning, policy.Default.Rungs[0]);
        // DeadlineWarning=false: the built-in ladder alone, the one test clusters run without configuration.
        Assert.Equal(EscalationPolicy.Standard.LadderKey, Load(("DeadlineWarning", "false")).LadderKey);
        Assert.True(policy.Default.Rungs.Single(r => r.Step == EscalationStep.PublicExposure).RaisesLevel);
        Assert.Equal(SupervisionLevel.Province, policy.Default.Rungs.Single(r => r.Step == EscalationStep.AccidentInvestigation).OnlyAtLevel);
        Assert.Equal((0.10, 3), (policy.RegionOverdueShareThreshold, policy.WatchListOverdueHazards));
    }

    [Fact]
    public void An_override_per_sector_and_level_in_working_days_applies_to_its_hazards_only()
    {
        var policy = Load(
            ("Overrides:0:Sector", "Chemicals"),
            ("Overrides:0:Level", "Province"),
            ("Overrides:0:WorkingDays", "true"),
            ("Overrides:0:Ladder:0:Step", "WarningLetter"), ("Overrides:0:Ladder:0:Days", "0"),
            ("Overrides:0:Ladder:1:Step", "Summons"), ("Overrides:0:Ladder:1:Days", "3"));

        var ladder = policy.LadderFor(Sector.Chemicals, SupervisionLevel.Province);
        Assert.True(ladder.WorkingDays);
        Assert.Equal([EscalationStep.WarningLetter, EscalationStep.Summons], ladder.Rungs.Select(r => r.Step));
        Assert.Same(policy.Default, policy.LadderFor(Sector.Chemicals, SupervisionLevel.County));
        Assert.Same(policy.Default, policy.LadderFor(Sector.Gas, SupervisionLevel.Province));

        // Friday 2025-06-13 + 3 working days = Wednesday 2025-06-18.
        var friday = new DateTimeOffset(2025, 6, 13, 17, 0, 0, ChinaTime.Offset);
        Assert.Equal(new DateTimeOffset(2025, 6, 18, 17, 0, 0, ChinaTime.Offset), ladder.DueAt(ladder.Rungs[1], friday, policy.Calendar).Due);
    }

    [Fact]
    public void A_deadline_warning_rung_takes_the_default_offsets_falls_due_at_the_later_of_them_and_must_come_first()
    {
        var policy = Load(
            ("MaxTotalExtensionDays", "60"),
            ("Ladder:0:Step", "DeadlineWarning"),
            ("Ladder:1:Step", "WarningLetter"), ("Ladder:1:Days", "0"),
            ("Ladder:2:Step", "Circular"), ("Ladder:2:Days", "7"));
        Assert.Equal(LadderRung.DefaultWarning, policy.Default.Rungs[0]);
        Assert.Equal(60, policy.MaxTotalExtensionDays);
        Assert.Equal(EscalationPolicy.DefaultMaxTotalExtensionDays, Load().MaxTotalExtensionDays);

        // 7 days before is later for a long period, a fifth of the period for a short one.
        var start = new DateTimeOffset(2025, 6, 10, 9, 0, 0, ChinaTime.Offset);
        Assert.Equal(start.AddDays(93), Ladder.WarningDueAt(LadderRung.DefaultWarning, start.AddDays(100), start));
        Assert.Equal(start.AddDays(8), Ladder.WarningDueAt(LadderRung.DefaultWarning, start.AddDays(10), start));
        var onlyDays = Load(("Ladder:0:Step", "DeadlineWarning"), ("Ladder:0:DaysBefore", "3"), ("Ladder:1:Step", "WarningLetter"));
        Assert.Equal((-3, 0.0), (onlyDays.Default.Rungs[0].Days, onlyDays.Default.Rungs[0].PeriodShareBefore));

        // A different ladder is a different version; the same ladder is the same one.
        Assert.NotEqual(Load().LadderKey, policy.LadderKey);
        Assert.Equal(Load().LadderKey, Load().LadderKey);
        Assert.NotEqual(Load().LadderKey, EscalationPolicy.Standard.LadderKey);

        var ex = Assert.Throws<InvalidOperationException>(() => Load(
            ("Ladder:0:Step", "WarningLetter"), ("Ladder:0:Days", "0"),
            ("Ladder:1:Step", "DeadlineWarning"), ("Ladder:1:ShareOfPeriodBefore", "1.5"),
            ("Ladder:2:Step", "Circular"), ("Ladder:2:Days", "7"), ("Ladder:2:DaysBefore", "2")));
        Assert.Contains("Ladder[1] (DeadlineWarning) must be the first rung", ex.Message);
        Assert.Contains("it must be in [0, 1)", ex.Message);
        Assert.Contains("Ladder[2]: DaysBefore and ShareOfPeriodBefore belong to a DeadlineWarning rung only", ex.Message);
    }

    [Fact]
    public void A_bad_policy_is_refused_with_every_problem_named()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Load(
            ("RegionOverdueShareThreshold", "1.5"),
            ("Ladder:0:Step", "Circular"), ("Ladder:0:Days", "7"),
            ("Ladder:1:Step", "WarningLetter"), ("Ladder:1:Days", "0"),
            ("Ladder:2:Step", "Beheading"), ("Ladder:2:Days", "-1"),
            ("Overrides:0:Sector", "Poetry")));

        Assert.Contains("HazardGrid:Escalation", ex.Message);
        Assert.Contains("RegionOverdueShareThreshold must be in (0, 1]", ex.Message);
        Assert.Contains("Ladder[1] (WarningLetter, +0 days) must come after Circular", ex.Message);
        Assert.Contains("Ladder[2].Step is 'Beheading'", ex.Message);
        Assert.Contains("Overrides[0].Sector is 'Poetry'", ex.Message);
    }

    [Fact]
    public async Task The_service_does_not_start_with_a_bad_policy_and_says_why()
    {
        var data = Path.Combine(Path.GetTempPath(), "hazardgrid-policy-" + Guid.NewGuid().ToString("N"));
        try
        {
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                SiloProcess.StartAsync(data, "--HazardGrid:Escalation:Ladder:0:Step=WarningLetter", "--HazardGrid:Escalation:Ladder:0:Days=-3"));
            Assert.Contains("The escalation policy in configuration section 'HazardGrid:Escalation' is not valid", ex.Message);
            Assert.Contains("cannot be before it", ex.Message);
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }
}
