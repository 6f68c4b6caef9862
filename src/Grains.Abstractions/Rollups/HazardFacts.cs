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
    [property: Id(0)] string HazardId,
    [property: Id(1)] long Version,
    [property: Id(2)] string CreditCode,
    [property: Id(3)] string TownCode,
    [property: Id(4)] Sector Sector,
    [property: Id(5)] HazardStatus Status,
    [property: Id(6)] DateTimeOffset FoundAt,
    [property: Id(7)] DateTimeOffset? Deadline,
    [property: Id(8)] DateTimeOffset? ClosedAt,
    [property: Id(9)] SupervisionLevel Level,
    [property: Id(10)] ImmutableArray<EscalationRecord> Escalations)
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
