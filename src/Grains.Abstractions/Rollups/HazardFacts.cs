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
}
