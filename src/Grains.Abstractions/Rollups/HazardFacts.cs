using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Escalations;
using HazardGrid.Hazards;

namespace HazardGrid.Rollups;

/// <summary>
/// What the rollups and the supervisors' queries need of one hazard. Versioned by the hazard's own
/// version so that a receiver can apply facts idempotently and in any order: only a newer version
/// replaces an older.
/// <para>The members after <see cref="Escalations"/> came later (lists and statistics): facts
/// stored before them read back with them unset (<see cref="Channels"/> default, times default,
/// texts null) until the hazard next changes. They are appended, never inserted, because a
/// positional record's members are its serialized ids.</para>
/// <para><see cref="LadderVersion"/> (a number, not the ladder: facts are held for every hazard in
/// the towns and the city indexes) and <see cref="RectificationStartedAt"/> let a town compute the
/// same rungs the hazard fires; 0 and null in facts stored before them (version 1, see LadderCatalog).</para>
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
    ImmutableArray<EscalationRecord> Escalations,
    ImmutableArray<ReportChannel> Channels = default,
    DateTimeOffset RegisteredAt = default,
    DateTimeOffset UpdatedAt = default,
    string? EnterpriseName = null,
    string? Criterion = null,
    string? Location = null,
    int LadderVersion = 0,
    DateTimeOffset? RectificationStartedAt = null)
{
    public bool IsOpen => Status is HazardStatus.Registered or HazardStatus.Rectifying or HazardStatus.AwaitingVerification;

    /// <summary>
    /// Overdue means the enterprise still owes the rectification past its deadline. A hazard
    /// awaiting verification has done its part, so it stops counting as overdue; if verification
    /// sends it back, it counts again.
    /// </summary>
    public bool IsOverdueAt(DateTimeOffset now) =>
        Status == HazardStatus.Rectifying && Deadline is { } deadline && deadline < now;

    /// <summary>Found before the campaign's stock cut-off (存量) rather than after (增量).</summary>
    public bool IsStock => ChinaTime.IsStock(FoundAt);

    /// <summary>When the record stopped being open: closed, or withdrawn/marked invalid (the
    /// record's last change: nothing changes a withdrawn record). Null while open, and for a
    /// withdrawal stored before <see cref="UpdatedAt"/> was kept.</summary>
    public DateTimeOffset? EndedAt => Status switch
    {
        HazardStatus.Closed => ClosedAt,
        HazardStatus.Withdrawn or HazardStatus.Invalid when UpdatedAt != default => UpdatedAt,
        _ => null,
    };

    /// <summary>The channel that first reported the finding; null in facts stored before channels were kept.</summary>
    public ReportChannel? FirstChannel => Channels.IsDefaultOrEmpty ? null : Channels[0];

    public bool Has(EscalationStep step) => !Escalations.IsDefault && Escalations.Any(e => e.Step == step);
}
