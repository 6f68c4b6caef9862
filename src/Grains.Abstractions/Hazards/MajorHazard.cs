using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Escalations;
using HazardGrid.Rollups;

namespace HazardGrid.Hazards;

/// <summary>How a major hazard came to light (001 item 5; 004 for expert diagnosis).</summary>
public enum ReportChannel
{
    SelfReport = 1,        // 企业自查上报
    Inspection = 2,        // 督导检查发现
    VerifiedTip = 3,       // 群众举报查实
    ExpertDiagnosis = 4,   // 安全诊断
}

/// <summary>The lifecycle of a major hazard record (see docs/architecture.md for the transitions).</summary>
public enum HazardStatus
{
    Registered = 1,
    Rectifying = 2,
    AwaitingVerification = 3,
    Closed = 4,
    Withdrawn = 5,
    Invalid = 6,
}

/// <summary>The three parties whose on-site confirmation a closure needs (三方确认).</summary>
public enum ConfirmingParty
{
    Regulator = 1,
    Expert = 2,
    Principal = 3,
}

/// <summary>One party's on-site confirmation that the hazard is rectified.</summary>
[GenerateSerializer, Immutable, Alias("hg.PartyConfirmation")]
public sealed record PartyConfirmation(ConfirmingParty Party, string Name, DateTimeOffset ConfirmedAt);

/// <summary>
/// A finding as a pushing system reports it. Two reports describe the same finding when they
/// name the same enterprise, criterion (the clause of the sector's major-hazard determination
/// standard) and location; see <see cref="FindingKey"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.HazardReport")]
public sealed record HazardReport(
    string CreditCode,
    ReportChannel Channel,
    Sector Sector,
    string Criterion,
    string Location,
    string Description,
    DateTimeOffset FoundAt,
    SupervisionLevel? FoundByLevel = null,
    string? TipId = null)
{
    /// <summary>Normalises and checks the report's own fields; <paramref name="now"/> bounds the discovery time.</summary>
    public HazardReport Validate(DateTimeOffset now)
    {
        if (!Enum.IsDefined(Channel))
        {
            throw DomainException.Invalid("hazard.channel", Channel == default ? "is required: a report channel" : $"{(int)Channel} is not a known report channel");
        }

        if (!Enum.IsDefined(Sector))
        {
            throw DomainException.Invalid("hazard.sector", Sector == default ? "is required: a sector" : $"{(int)Sector} is not a known sector");
        }

        if (FoundAt == default)
        {
            throw DomainException.Invalid("hazard.found_time", "is required");
        }

        if (FoundAt > now.AddMinutes(5))
        {
            throw DomainException.Invalid("hazard.found_time", "lies in the future");
        }

        if (FoundAt.Year < 2000)
        {
            throw DomainException.Invalid("hazard.found_time", "lies before 2000");
        }

        if (FoundByLevel is { } level && !Enum.IsDefined(level))
        {
            throw DomainException.Invalid("hazard.found_by_level", $"{(int)level} is not a known supervision level (county, city or province)");
        }

        return this with
        {
            CreditCode = UnifiedSocialCreditCode.Validate(CreditCode, "parent"),
            Criterion = TextLimits.Required(Criterion, "hazard.criterion", TextLimits.Criterion),
            Location = TextLimits.Required(Location, "hazard.location", TextLimits.Location),
            Description = TextLimits.Required(Description, "hazard.description", TextLimits.Description),
        };
    }

    /// <summary>
    /// The level a new hazard is listed for supervision at (挂牌督办): the level of the authority
    /// that found it; county for self-reports and tips, which no higher authority found.
    /// </summary>
    public SupervisionLevel ListingLevel =>
        Channel is ReportChannel.SelfReport or ReportChannel.VerifiedTip ? SupervisionLevel.County : FoundByLevel ?? SupervisionLevel.County;

    /// <summary>
    /// The identity of a finding within its enterprise: criterion and location, case and spacing
    /// folded. While a hazard with this key is open, further reports of it (a second channel, a
    /// retry under a new request id) are recorded on that hazard instead of creating another.
    /// </summary>
    public string FindingKey => FindingKeyOf(Criterion, Location);

    public static string FindingKeyOf(string criterion, string location) => $"{Fold(criterion)}|{Fold(location)}";

    private static string Fold(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();
}

/// <summary>A validated report with what the hazard copies from its enterprise at registration,
/// and who must be notified of it.</summary>
[GenerateSerializer, Immutable, Alias("hg.HazardRegistration")]
public sealed record HazardRegistration(HazardReport Report, string EnterpriseName, string TownCode, Notifications.Addressees Addressees);

/// <summary>A major hazard record (重大事故隐患) as it stands at <see cref="Version"/>.</summary>
[GenerateSerializer, Immutable, Alias("hg.MajorHazard")]
public sealed record MajorHazard(
    string Id,
    long Version,
    string CreditCode,
    string EnterpriseName,
    string TownCode,
    Sector Sector,
    ImmutableArray<ReportChannel> Channels,
    string Criterion,
    string Location,
    string Description,
    DateTimeOffset FoundAt,
    DateTimeOffset RegisteredAt,
    HazardStatus Status,
    DateTimeOffset? Deadline,
    string? Plan,
    int ProgressPercent,
    ImmutableArray<PartyConfirmation> Confirmations,
    DateTimeOffset? ClosedAt,
    string? WithdrawalReason,
    DateTimeOffset UpdatedAt,
    SupervisionLevel SupervisionLevel,
    ImmutableArray<EscalationRecord> Escalations,
    int LadderVersion = 0,
    DateTimeOffset? RectificationStartedAt = null,
    DateTimeOffset? OriginalDeadline = null,
    ExtensionRequest? PendingExtension = null,
    string? TipId = null)
{
    // LadderVersion: the ladder version (LadderCatalog) the hazard was listed under, or moved to by
    // a re-plan; 0 in records stored before versions were kept, which follow version 1.
    // RectificationStartedAt: when rectification started (the start of the period a deadline
    // warning's share counts in); null before it started and in records stored before it was kept.
    // OriginalDeadline: the deadline set when rectification started, from which the total
    // extension is counted; null as above (then the current deadline stands for it).
    // PendingExtension: the enterprise's extension request awaiting the supervisor's decision.
    // All four are appended (a positional record's members are its serialized ids).

    /// <summary>How far the deadline now lies beyond the one set when rectification started
    /// (extensions decided directly and approved requests alike); zero when none is known.</summary>
    public TimeSpan TotalExtension => Deadline is { } d && (OriginalDeadline ?? d) is var original && d > original ? d - original : TimeSpan.Zero;

    public bool IsOpen => Status is HazardStatus.Registered or HazardStatus.Rectifying or HazardStatus.AwaitingVerification;

    /// <summary>What the rollups need to know of this hazard.</summary>
    public HazardFacts Facts => new(
        Id, Version, CreditCode, TownCode, Sector, Status, FoundAt, Deadline, ClosedAt, SupervisionLevel, Escalations,
        Channels, RegisteredAt, UpdatedAt, EnterpriseName, Criterion, Location, LadderVersion, RectificationStartedAt);

    public string FindingKey => HazardReport.FindingKeyOf(Criterion, Location);

    /// <summary>The number in the hazard's resource name (<c>enterprises/{code}/hazards/{number}</c>).</summary>
    public int Number => HazardKey.Parse(Id).Number;
}

/// <summary>What happened, as one line of a hazard's audit trail.</summary>
public enum TrailAction
{
    Registered = 1,
    ReportedAgain = 2,
    RectificationStarted = 3,
    ProgressRecorded = 4,
    SubmittedForVerification = 5,
    Confirmed = 6,
    Closed = 7,
    Withdrawn = 8,
    MarkedInvalid = 9,
    ReturnedForRectification = 10,
    DeadlineExtended = 11,
    SupervisionLevelRaised = 12,
    Escalated = 13,
    // Issue 11 parts 4 and 5: the ladder moved to the current policy; extension requests and their
    // decisions. Numbered from 40, leaving the numbers after 13 to parts written at the same time.
    LadderReplanned = 40,
    ExtensionRequested = 41,
    ExtensionApproved = 42,
    ExtensionRefused = 43,
}

/// <summary>An enterprise's request for a later deadline (延期申请), pending until the supervising
/// office decides: the deadline asked for, why, who asked (the credential's subject, on behalf of
/// the enterprise) and when.</summary>
[GenerateSerializer, Immutable, Alias("hg.ExtensionRequest")]
public sealed record ExtensionRequest(DateTimeOffset NewDeadline, string Reason, string RequestedBy, DateTimeOffset RequestedAt);

/// <summary>
/// One change on a hazard's audit trail: who (the pushing system), when, what, and under which
/// request id. <see cref="Version"/> is the hazard version the change produced.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.TrailEntry")]
public sealed record TrailEntry(long Version, DateTimeOffset At, string Actor, string RequestId, TrailAction Action, string Detail);

/// <summary>Where a hazard stands on its escalation ladder: the next rung and when it falls due
/// (none while it is not rectifying, or when every applicable rung has fired), and whether that
/// time is provisional: counted in working days Monday to Friday beyond the official calendar's
/// last year, so it may move when the year's schedule is added.</summary>
[GenerateSerializer, Immutable, Alias("hg.LadderState")]
public sealed record LadderState(EscalationStep? NextStep, DateTimeOffset? NextDueAt, bool NextDueProvisional = false);

[GenerateSerializer, Immutable, Alias("hg.HazardWithTrail")]
public sealed record HazardWithTrail(MajorHazard Hazard, ImmutableArray<TrailEntry> Trail, LadderState Ladder);

/// <summary>A hazard's grain key: its enterprise's credit code and its number there.</summary>
public readonly record struct HazardKey(string CreditCode, int Number)
{
    public override string ToString() => $"{CreditCode}/{Number}";

    public static HazardKey Parse(string key)
    {
        var slash = key.IndexOf('/');
        return new HazardKey(key[..slash], int.Parse(key[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
