using HazardGrid.Common;

namespace HazardGrid.Escalations;

/// <summary>The level of the office that supervises a listed hazard (挂牌督办).</summary>
public enum SupervisionLevel
{
    County = 1,
    City = 2,
    Province = 3,
}

/// <summary>The rungs of the escalation ladder for slow rectification (001 item 4; 003).</summary>
public enum EscalationStep
{
    WarningLetter = 1,          // 函告
    Circular = 2,               // 通报
    Summons = 3,                // 约谈
    PublicExposure = 4,         // 曝光
    AccidentInvestigation = 5,  // 按事故调查处理

    /// <summary>A warning to the principal and the supervising office before the deadline (到期预警),
    /// the only rung that falls due before it (issue 11 part 3). Numbered last because numbers are
    /// never reused; on a ladder it comes first.</summary>
    DeadlineWarning = 6,
}

/// <summary>
/// One escalation that happened to a hazard: which rung, when it was due by the ladder, when it
/// actually fired, and what triggered it. Recorded once per rung.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.EscalationRecord")]
public sealed record EscalationRecord(EscalationStep Step, DateTimeOffset DueAt, DateTimeOffset FiredAt, string Trigger);

public static class EscalationSteps
{
    /// <summary>A sanction for slow rectification (letter to investigation), as opposed to the
    /// warning before the deadline: statistics and circulars count sanctions only.</summary>
    public static bool IsSanction(this EscalationStep step) => step != EscalationStep.DeadlineWarning;

    /// <summary>The order the ladder climbs in: the warning below every sanction (its number, 6,
    /// only says it was added last).</summary>
    public static int Rank(this EscalationStep step) => step == EscalationStep.DeadlineWarning ? 0 : (int)step;
}

public static class SupervisionLevels
{
    public static SupervisionLevel Raise(SupervisionLevel level) =>
        level == SupervisionLevel.Province
            ? throw DomainException.Precondition("supervision_level", "the hazard is already supervised at province level")
            : level + 1;

    public static string Describe(SupervisionLevel level) => level.ToString().ToLowerInvariant();
}
