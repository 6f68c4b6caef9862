using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Hazards;
using HazardGrid.Rollups;

namespace HazardGrid.Escalations;

/// <summary>
/// One rung of a ladder: the step, how long after the rectification deadline it falls due
/// (calendar or working days), whether it raises the supervision level, and the level a hazard
/// must be supervised at for it to apply.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.LadderRung")]
public sealed record LadderRung(EscalationStep Step, int Days, bool RaisesLevel, SupervisionLevel? OnlyAtLevel);

/// <summary>A ladder for hazards of one sector and/or supervision level (null: any).</summary>
[GenerateSerializer, Immutable, Alias("hg.Ladder")]
public sealed record Ladder(Sector? Sector, SupervisionLevel? Level, bool WorkingDays, ImmutableArray<LadderRung> Rungs)
{
    /// <summary>
    /// When <paramref name="rung"/> falls due for a hazard whose deadline is <paramref name="deadline"/>.
    /// Working days follow the official <paramref name="calendar"/>; past its last year they count
    /// Monday to Friday and the result says so (a step must fall due some time; the operator is warned).
    /// </summary>
    public WorkingDayResult DueAt(LadderRung rung, DateTimeOffset deadline, WorkingDayCalendar calendar) =>
        WorkingDays ? calendar.AddWorkingDaysProvisionally(deadline, rung.Days) : new(deadline.AddDays(rung.Days), null);
}

/// <summary>The rung a hazard climbs next and when it falls due.</summary>
[GenerateSerializer, Immutable, Alias("hg.DueRung")]
public sealed record DueRung(LadderRung Rung, DateTimeOffset DueAt)
{
    /// <summary>
    /// The first year a working-day count fell beyond the official calendar, counted Monday to
    /// Friday (<see cref="WorkingDayResult.Provisional"/>); null when the due date is certain.
    /// Not serialized: a due rung is recomputed from the policy wherever it is needed.
    /// </summary>
    public int? UncoveredYear
    {
        get => _uncoveredYear;
        init => _uncoveredYear = value;
    }

    [NonSerialized]
    private readonly int? _uncoveredYear;

    public bool Provisional => UncoveredYear is not null;
}

/// <summary>
/// The escalation policy: the default ladder, overrides per sector and level, and the thresholds
/// for region and enterprise consequences. Validated before the silo starts.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.EscalationPolicy")]
public sealed record EscalationPolicy(
    Ladder Default,
    ImmutableArray<Ladder> Overrides,
    double RegionOverdueShareThreshold,
    int WatchListOverdueHazards)
{
    [NonSerialized]
    private readonly WorkingDayCalendar? _calendar;

    /// <summary>
    /// The official working-day calendar the ladders with <see cref="Ladder.WorkingDays"/> count in
    /// (configured with the policy at start-up). Not serialized: a policy lives in each silo's
    /// services and is never sent, and one read back without it counts with the shipped calendar.
    /// </summary>
    public WorkingDayCalendar Calendar
    {
        get => _calendar ?? WorkingDayCalendar.Official;
        init => _calendar = value;
    }

    /// <summary>HazardGrid's default ladder over the directives' steps (docs/domain.md, "The
    /// escalation ladder"; the day counts are ours, the directives give none): letter at the
    /// deadline, circular +7 days, summons +14, public exposure and one level up +30, accident
    /// investigation +90 at province level.</summary>
    public static EscalationPolicy Standard { get; } = new(
        new Ladder(null, null, false,
        [
            new(EscalationStep.WarningLetter, 0, false, null),
            new(EscalationStep.Circular, 7, false, null),
            new(EscalationStep.Summons, 14, false, null),
            new(EscalationStep.PublicExposure, 30, true, null),
            new(EscalationStep.AccidentInvestigation, 90, false, SupervisionLevel.Province),
        ]),
        [],
        0.10,
        3);

    /// <summary>The most specific ladder for a hazard: sector and level, then sector, then level, then the default.</summary>
    public Ladder LadderFor(Sector sector, SupervisionLevel level) =>
        Overrides.FirstOrDefault(l => l.Sector == sector && l.Level == level)
        ?? Overrides.FirstOrDefault(l => l.Sector == sector && l.Level is null)
        ?? Overrides.FirstOrDefault(l => l.Sector is null && l.Level == level)
        ?? Default;

    /// <summary>
    /// The next rung of a hazard's ladder that has not fired, and when it falls due: the one
    /// place the ladder is read. Only a rectifying hazard climbs; rungs reserved for another
    /// supervision level are passed over (and apply again if the level changes).
    /// </summary>
    public DueRung? NextRung(HazardFacts hazard)
    {
        if (hazard.Status != HazardStatus.Rectifying || hazard.Deadline is not { } deadline)
        {
            return null;
        }

        var ladder = LadderFor(hazard.Sector, hazard.Level);
        foreach (var rung in ladder.Rungs)
        {
            if (hazard.Has(rung.Step) || (rung.OnlyAtLevel is { } only && only != hazard.Level))
            {
                continue;
            }

            var due = ladder.DueAt(rung, deadline, Calendar);
            return new DueRung(rung, due.Due) { UncoveredYear = due.UncoveredYear };
        }

        return null;
    }

    /// <summary>Every problem with the policy, in words an operator can act on; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (RegionOverdueShareThreshold is <= 0 or > 1)
        {
            problems.Add($"RegionOverdueShareThreshold must be in (0, 1]; it is {RegionOverdueShareThreshold}");
        }

        if (WatchListOverdueHazards < 1)
        {
            problems.Add($"WatchListOverdueHazards must be at least 1; it is {WatchListOverdueHazards}");
        }

        foreach (var (ladder, name) in Overrides.Select((l, i) => (l, $"Overrides[{i}]")).Prepend((Default, "Ladder")))
        {
            if (ladder.Rungs.IsDefaultOrEmpty)
            {
                problems.Add($"{name} has no rungs");
                continue;
            }

            for (var i = 0; i < ladder.Rungs.Length; i++)
            {
                var rung = ladder.Rungs[i];
                if (!Enum.IsDefined(rung.Step))
                {
                    problems.Add($"{name}[{i}] has an unknown step");
                }

                if (rung.Days < 0)
                {
                    problems.Add($"{name}[{i}] ({rung.Step}) is due {rung.Days} days after the deadline; it cannot be before it");
                }

                if (i > 0 && (rung.Step <= ladder.Rungs[i - 1].Step || rung.Days < ladder.Rungs[i - 1].Days))
                {
                    problems.Add($"{name}[{i}] ({rung.Step}, +{rung.Days} days) must come after {ladder.Rungs[i - 1].Step} (+{ladder.Rungs[i - 1].Days} days) in both step and time");
                }
            }
        }

        foreach (var group in Overrides.GroupBy(l => (l.Sector, l.Level)).Where(g => g.Count() > 1))
        {
            problems.Add($"more than one override for sector {group.Key.Sector?.ToString() ?? "any"} and level {group.Key.Level?.ToString() ?? "any"}");
        }

        if (Overrides.Any(l => l.Sector is null && l.Level is null))
        {
            problems.Add("an override must name a sector or a level (the default ladder covers the rest)");
        }

        return problems;
    }
}
