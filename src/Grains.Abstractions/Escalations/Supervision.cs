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
}

/// <summary>
/// One escalation that happened to a hazard: which rung, when it was due by the ladder, when it
/// actually fired, and what triggered it. Recorded once per rung.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.EscalationRecord")]
public sealed record EscalationRecord([property: Id(0)] EscalationStep Step, [property: Id(1)] DateTimeOffset DueAt, [property: Id(2)] DateTimeOffset FiredAt, [property: Id(3)] string Trigger);

public static class SupervisionLevels
{
    public static SupervisionLevel Raise(SupervisionLevel level) =>
        level == SupervisionLevel.Province
            ? throw DomainException.Precondition("supervision_level", "the hazard is already supervised at province level")
            : level + 1;

    public static string Describe(SupervisionLevel level) => level.ToString().ToLowerInvariant();
}
