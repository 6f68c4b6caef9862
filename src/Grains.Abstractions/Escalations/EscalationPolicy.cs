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
/// <para>The deadline warning (<see cref="EscalationStep.DeadlineWarning"/>) is the one rung before
/// the deadline: <see cref="Days"/> is then zero or negative (calendar days before it), and
/// <see cref="PeriodShareBefore"/> a share of the rectification period (deadline − start of
/// rectification) before it; with both, the later of the two instants (the warning closest to the
/// deadline). Appended member: rungs stored before it read 0.</para>
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.LadderRung")]
public sealed record LadderRung(EscalationStep Step, int Days, bool RaisesLevel, SupervisionLevel? OnlyAtLevel, double PeriodShareBefore = 0)
{
    public bool IsWarning => Step == EscalationStep.DeadlineWarning;

    /// <summary>A warning rung with HazardGrid's default offsets: 7 days or 20% of the rectification
    /// period before the deadline, whichever is later. The directives give no number; a week is the
    /// ladder's own unit (circular +7 days), and 20% keeps a short period's warning inside it (a
    /// 10-day deadline is warned 2 days ahead, not 7, i.e. before most of the work was due).</summary>
    public static LadderRung DefaultWarning { get; } = new(EscalationStep.DeadlineWarning, -7, false, null, 0.2);
}

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

    /// <summary>
    /// When a warning rung falls due: the later of <see cref="LadderRung.Days"/> (calendar days, even
    /// on a working-day ladder: a warning is a reminder, not a sanction with a legal period) and
    /// <see cref="LadderRung.PeriodShareBefore"/> of the period from <paramref name="periodStart"/> to
    /// the deadline, before the deadline. Without a known start only the days count.
    /// </summary>
    public static DateTimeOffset WarningDueAt(LadderRung rung, DateTimeOffset deadline, DateTimeOffset? periodStart)
    {
        DateTimeOffset? byDays = rung.Days < 0 ? deadline.AddDays(rung.Days) : null;
        DateTimeOffset? byShare = rung.PeriodShareBefore > 0 && periodStart is { } start && start < deadline
            ? deadline - TimeSpan.FromTicks((long)((deadline - start).Ticks * rung.PeriodShareBefore))
            : null;
        return (byDays, byShare) switch
        {
            ({ } days, { } share) => days > share ? days : share,
            ({ } days, null) => days,
            (null, { } share) => share,
            _ => deadline, // only a share, and no start known: warned at the deadline
        };
    }
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
    int WatchListOverdueHazards,
    int MaxTotalExtensionDays = EscalationPolicy.DefaultMaxTotalExtensionDays)
{
    /// <summary>
    /// HazardGrid's default cap on the total extension of a deadline over the one set when
    /// rectification started (issue 11 part 5). The directives give no number; 90 days is the
    /// ladder's own longest span (the investigation rung at +90), so extensions together cannot
    /// postpone a hazard by more than the whole ladder would take.
    /// </summary>
    public const int DefaultMaxTotalExtensionDays = 90;

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
    /// <para>A deadline warning fires once: it is passed over once it fired (a later extension
    /// sends no fresh warning: the extension itself told the enterprise its new deadline) and once
    /// any later rung has fired (a warning after the letter would say nothing new).</para>
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

            if (rung.IsWarning)
            {
                if (!hazard.Escalations.IsDefaultOrEmpty)
                {
                    continue;
                }

                return new DueRung(rung, Ladder.WarningDueAt(rung, deadline, hazard.RectificationStartedAt ?? NonDefault(hazard.RegisteredAt)));
            }

            var due = ladder.DueAt(rung, deadline, Calendar);
            return new DueRung(rung, due.Due) { UncoveredYear = due.UncoveredYear };
        }

        return null;
    }

    private static DateTimeOffset? NonDefault(DateTimeOffset at) => at == default ? null : at;

    /// <summary>
    /// The ladders as one canonical text: two policies with the same text give every hazard the same
    /// rungs, so they are one version in the catalog of ladders (LadderCatalog). Thresholds, the cap on
    /// extensions and the calendar are not part of it: they apply to every hazard as configured now.
    /// </summary>
    public string LadderKey => string.Join(" | ", Overrides.Prepend(Default).Select(l =>
        $"{l.Sector?.ToString() ?? "*"}/{l.Level?.ToString() ?? "*"}/{(l.WorkingDays ? "working" : "calendar")}: "
        + string.Join(", ", l.Rungs.Select(r => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{r.Step} {r.Days}{(r.PeriodShareBefore > 0 ? $" share {r.PeriodShareBefore:R}" : "")}{(r.RaisesLevel ? " raises" : "")}{(r.OnlyAtLevel is { } o ? $" only {o}" : "")}")))));

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

        if (MaxTotalExtensionDays < 0)
        {
            problems.Add($"MaxTotalExtensionDays must be 0 or more; it is {MaxTotalExtensionDays}");
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

                if (rung.IsWarning)
                {
                    // The warning is the one rung before the deadline: first on its ladder.
                    if (i > 0)
                    {
                        problems.Add($"{name}[{i}] (DeadlineWarning) must be the first rung: it is the only one before the deadline");
                    }

                    if (rung.Days > 0)
                    {
                        problems.Add($"{name}[{i}] (DeadlineWarning) is due {rung.Days} days after the deadline; a warning comes before it (days before the deadline are negative)");
                    }

                    if (rung.PeriodShareBefore is < 0 or >= 1 || double.IsNaN(rung.PeriodShareBefore))
                    {
                        problems.Add($"{name}[{i}] (DeadlineWarning) has a share of the rectification period of {rung.PeriodShareBefore}; it must be in [0, 1)");
                    }

                    if (rung.Days == 0 && rung.PeriodShareBefore == 0)
                    {
                        problems.Add($"{name}[{i}] (DeadlineWarning) falls due at the deadline itself; give days before it or a share of the rectification period");
                    }

                    if (rung.RaisesLevel || rung.OnlyAtLevel is not null)
                    {
                        problems.Add($"{name}[{i}] (DeadlineWarning) cannot raise the supervision level or be reserved for a level");
                    }

                    continue;
                }

                if (rung.PeriodShareBefore != 0)
                {
                    problems.Add($"{name}[{i}] ({rung.Step}) has a share of the rectification period; only DeadlineWarning has one");
                }

                if (rung.Days < 0)
                {
                    problems.Add($"{name}[{i}] ({rung.Step}) is due {rung.Days} days after the deadline; it cannot be before it");
                }

                if (i > 0 && !ladder.Rungs[i - 1].IsWarning && (rung.Step <= ladder.Rungs[i - 1].Step || rung.Days < ladder.Rungs[i - 1].Days))
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
