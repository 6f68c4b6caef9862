using System.Collections.Immutable;
using HazardGrid.Enterprises;
using HazardGrid.Escalations;

namespace HazardGrid.Silo.Hosting;

/// <summary>
/// The escalation policy as written in configuration (<c>HazardGrid:Escalation</c>). Everything is
/// optional: what is left out keeps the default ladder (docs/domain.md, "The escalation ladder"). Example:
/// <code>
/// "Escalation": {
///   "RegionOverdueShareThreshold": 0.1, "WatchListOverdueHazards": 3,
///   "MaxTotalExtensionDays": 90,
///   "Ladder": [ { "Step": "DeadlineWarning", "DaysBefore": 7, "ShareOfPeriodBefore": 0.2 },
///               { "Step": "WarningLetter", "Days": 0 }, { "Step": "Circular", "Days": 7 }, ... ],
///   "Overrides": [ { "Sector": "Chemicals", "Level": "Province", "WorkingDays": true, "Ladder": [ ... ] } ]
/// }
/// </code>
/// A <c>DeadlineWarning</c> rung (first on its ladder) falls due <c>DaysBefore</c> calendar days or
/// <c>ShareOfPeriodBefore</c> of the rectification period before the deadline, whichever is later;
/// with neither given, 7 days or 20% (<see cref="LadderRung.DefaultWarning"/>: the directives give
/// no number). The configured default ladder starts with such a warning unless <c>DeadlineWarning</c>
/// is false (the built-in <see cref="EscalationPolicy.Standard"/>, which test clusters run without
/// configuration, has none). On a deployment that holds hazards, adding or removing it is a policy
/// change, which applies to hazards listed from then on (and to running ones a supervisor re-plans).
/// <c>MaxTotalExtensionDays</c> caps how far approved extension requests may move a deadline past
/// the one set when rectification started (default <see cref="EscalationPolicy.DefaultMaxTotalExtensionDays"/>).
/// </summary>
public sealed class EscalationSettings
{
    public const string Section = "HazardGrid:Escalation";

    public double? RegionOverdueShareThreshold { get; set; }

    public int? WatchListOverdueHazards { get; set; }

    public int? MaxTotalExtensionDays { get; set; }

    public bool WorkingDays { get; set; }

    /// <summary>Whether the default ladder (used when <see cref="Ladder"/> is not configured) starts
    /// with the deadline warning (<see cref="LadderRung.DefaultWarning"/>: 7 days or 20% of the
    /// rectification period before the deadline). On by default: the directives ask for warnings
    /// before the deadline; false leaves it out. A configured <see cref="Ladder"/> says for itself.</summary>
    public bool DeadlineWarning { get; set; } = true;

    public List<RungSettings>? Ladder { get; set; }

    public List<OverrideSettings>? Overrides { get; set; }

    public sealed class RungSettings
    {
        public string? Step { get; set; }

        public int Days { get; set; }

        public bool RaisesLevel { get; set; }

        public string? OnlyAtLevel { get; set; }

        /// <summary>DeadlineWarning only: calendar days before the deadline.</summary>
        public int? DaysBefore { get; set; }

        /// <summary>DeadlineWarning only: the share of the rectification period before the deadline, in [0, 1).</summary>
        public double? ShareOfPeriodBefore { get; set; }
    }

    public sealed class OverrideSettings
    {
        public string? Sector { get; set; }

        public string? Level { get; set; }

        public bool WorkingDays { get; set; }

        public List<RungSettings>? Ladder { get; set; }
    }

    /// <summary>Reads and validates the policy; a bad one stops start-up with every problem listed.</summary>
    public static EscalationPolicy Load(IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section).Get<EscalationSettings>() ?? new EscalationSettings();
        var problems = new List<string>();
        var standard = EscalationPolicy.Standard;
        var policy = new EscalationPolicy(
            settings.Ladder is { Count: > 0 } rungs
                ? new Ladder(null, null, settings.WorkingDays, Rungs(rungs, "Ladder", problems))
                : standard.Default with
                {
                    WorkingDays = settings.WorkingDays,
                    Rungs = settings.DeadlineWarning ? standard.Default.Rungs.Insert(0, LadderRung.DefaultWarning) : standard.Default.Rungs,
                },
            [.. (settings.Overrides ?? []).Select((o, i) => new Ladder(
                Parse<Sector>(o.Sector, $"Overrides[{i}].Sector", problems),
                Parse<SupervisionLevel>(o.Level, $"Overrides[{i}].Level", problems),
                o.WorkingDays,
                Rungs(o.Ladder ?? [], $"Overrides[{i}].Ladder", problems)))],
            settings.RegionOverdueShareThreshold ?? standard.RegionOverdueShareThreshold,
            settings.WatchListOverdueHazards ?? standard.WatchListOverdueHazards,
            settings.MaxTotalExtensionDays ?? standard.MaxTotalExtensionDays);
        problems.AddRange(policy.Problems());
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"The escalation policy in configuration section '{Section}' is not valid:{Environment.NewLine}  - "
                + string.Join(Environment.NewLine + "  - ", problems));
        }

        return policy;
    }

    private static ImmutableArray<LadderRung> Rungs(List<RungSettings> rungs, string path, List<string> problems) =>
        [.. rungs.Select((r, i) => Rung(r, Parse<EscalationStep>(r.Step, $"{path}[{i}].Step", problems, required: true) ?? default, $"{path}[{i}]", problems))];

    private static LadderRung Rung(RungSettings r, EscalationStep step, string path, List<string> problems)
    {
        var level = Parse<SupervisionLevel>(r.OnlyAtLevel, $"{path}.OnlyAtLevel", problems);
        if (step != EscalationStep.DeadlineWarning)
        {
            if (r.DaysBefore is not null || r.ShareOfPeriodBefore is not null)
            {
                problems.Add($"{path}: DaysBefore and ShareOfPeriodBefore belong to a DeadlineWarning rung only");
            }

            return new LadderRung(step, r.Days, r.RaisesLevel, level);
        }

        if (r.DaysBefore is < 0)
        {
            problems.Add($"{path}.DaysBefore is {r.DaysBefore}; it counts days before the deadline and cannot be negative");
        }

        // Neither given: the defaults; one given: only that one.
        var defaults = LadderRung.DefaultWarning;
        var (days, share) = (r.DaysBefore, r.ShareOfPeriodBefore) switch
        {
            (null, null) => (defaults.Days, defaults.PeriodShareBefore),
            _ => (-(r.DaysBefore ?? 0), r.ShareOfPeriodBefore ?? 0),
        };
        return new LadderRung(step, days, r.RaisesLevel, level, share);
    }

    private static T? Parse<T>(string? text, string path, List<string> problems, bool required = false)
        where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required)
            {
                problems.Add($"{path} is required (one of {string.Join(", ", Enum.GetNames<T>())})");
            }

            return null;
        }

        if (Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value))
        {
            return value;
        }

        problems.Add($"{path} is '{text}', not one of {string.Join(", ", Enum.GetNames<T>())}");
        return null;
    }
}
