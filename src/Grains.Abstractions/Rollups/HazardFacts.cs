using System.Collections.Immutable;
using HazardGrid.Enterprises;
using HazardGrid.Escalations;
using HazardGrid.Hazards;

namespace HazardGrid.Rollups;

/// <summary>
/// What the rollups need of one hazard. Versioned by the hazard's own version so that a
/// receiver can apply facts idempotently and in any order: only a newer version replaces an older.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.HazardFacts")]
public sealed record HazardFacts(
    string HazardId,
    long Version,
    string CreditCode,
    string TownCode,
    Sector Sector,
    HazardStatus Status,
    DateTimeOffset FoundAt,
    DateTimeOffset? Deadline,
    DateTimeOffset? ClosedAt,
    SupervisionLevel Level,
    ImmutableArray<EscalationRecord> Escalations)
{
    public bool IsOpen => Status is HazardStatus.Registered or HazardStatus.Rectifying or HazardStatus.AwaitingVerification;

    /// <summary>
    /// Overdue means the enterprise still owes the rectification past its deadline. A hazard
    /// awaiting verification has done its part, so it stops counting as overdue; if verification
    /// sends it back, it counts again.
    /// </summary>
    public bool IsOverdueAt(DateTimeOffset now) =>
        Status == HazardStatus.Rectifying && Deadline is { } deadline && deadline < now;

    public bool Has(EscalationStep step) => !Escalations.IsDefault && Escalations.Any(e => e.Step == step);

    /// <summary>
    /// The next rung of the hazard's ladder that has not fired, and when it is due. Only a
    /// rectifying hazard climbs; rungs reserved for another supervision level are passed over
    /// (and apply again if the level changes).
    /// </summary>
    public (LadderRung Rung, DateTimeOffset DueAt)? NextEscalation(EscalationPolicy policy)
    {
        if (Status != HazardStatus.Rectifying || Deadline is not { } deadline)
        {
            return null;
        }

        var ladder = policy.LadderFor(Sector, Level);
        foreach (var rung in ladder.Rungs)
        {
            if (Has(rung.Step) || (rung.OnlyAtLevel is { } only && only != Level))
            {
                continue;
            }

            return (rung, ladder.DueAt(rung, deadline));
        }

        return null;
    }
}
