using HazardGrid.Hazards;
using HazardGrid.Rollups;

namespace HazardGrid.Escalations;

/// <summary>
/// A town's schedule of ladder steps: which of its hazards have a step due, and when the next one
/// falls due. It decides when to ask, never whether a step fires: the hazard decides that
/// (<see cref="EscalationPolicy.NextRung"/> on its own state), so asking twice is harmless. Each
/// hazard is planned on its own ladder version (<paramref name="ladders"/>), as the hazard fires it.
/// </summary>
internal sealed class EscalationSchedule(LadderBook ladders, TimeSpan retry)
{
    private readonly List<(HazardFacts Hazard, DueRung Due)> _due = [];
    private readonly Dictionary<string, (EscalationStep Step, DateTime At)> _asked = new(StringComparer.Ordinal);
    private readonly HashSet<int> _uncoveredYears = [];

    /// <summary>When the next step not yet due falls due; null when none is scheduled.</summary>
    public DateTimeOffset? NextDueAt { get; private set; }

    /// <summary>Years beyond the official calendar that the last plan counted Monday to Friday in.</summary>
    public IReadOnlySet<int> UncoveredYears => _uncoveredYears;

    /// <summary>Whether steps are due and not yet seen fired.</summary>
    public bool HasDue => _due.Count > 0;

    /// <summary>Plans again from the hazards as they stand at <paramref name="now"/>.</summary>
    public void Plan(IEnumerable<HazardFacts> hazards, DateTimeOffset now)
    {
        _due.Clear();
        _uncoveredYears.Clear();
        NextDueAt = null;
        foreach (var hazard in hazards)
        {
            if (ladders.For(hazard.LadderVersion).NextRung(hazard) is not { } due)
            {
                continue;
            }

            if (due.UncoveredYear is { } year)
            {
                _uncoveredYears.Add(year);
            }

            if (due.DueAt <= now)
            {
                _due.Add((hazard, due));
            }
            else if (NextDueAt is null || due.DueAt < NextDueAt)
            {
                NextDueAt = due.DueAt;
            }
        }

        // Forget requests for hazards with nothing due any more (fired, extended, closed).
        foreach (var answered in _asked.Keys.Where(id => _due.All(d => d.Hazard.HazardId != id)).ToList())
        {
            _asked.Remove(answered);
        }
    }

    /// <summary>
    /// The due steps to ask for now: each once, and again if not answered within the retry period
    /// (a request lost with a failed silo, say). The answer is the hazard's new facts reaching the
    /// town, which plans again.
    /// </summary>
    public IReadOnlyList<(HazardKey Hazard, EscalationStep Step, DateTimeOffset DueAt)> ToAsk(DateTime wallClock)
    {
        var ask = new List<(HazardKey, EscalationStep, DateTimeOffset)>();
        foreach (var (hazard, due) in _due)
        {
            if (_asked.TryGetValue(hazard.HazardId, out var asked) && asked.Step == due.Rung.Step && wallClock - asked.At < retry)
            {
                continue;
            }

            _asked[hazard.HazardId] = (due.Rung.Step, wallClock);
            ask.Add((HazardKey.Parse(hazard.HazardId), due.Rung.Step, due.DueAt));
        }

        return ask;
    }
}
