using System.Collections.Immutable;
using System.Globalization;
using HazardGrid.Common;
using HazardGrid.Enterprises;

namespace HazardGrid.Tips;

/// <summary>How a tip (举报) reached the handling office (004: 12345 hotline, department website,
/// mobile app, letter, visit). Append only. <see cref="Hotline"/> is the 12345 government service hotline.</summary>
public enum TipChannel
{
    Hotline = 1,
    Website = 2,
    MobileApp = 3,
    Letter = 4,
    Visit = 5,
}

/// <summary>Where a tip stands: Received → Verified | Dismissed; Verified → RewardDecided → RewardPaid (兑现). Append only.</summary>
public enum TipStatus
{
    Received = 1,
    Verified = 2,
    Dismissed = 3,
    RewardDecided = 4,
    RewardPaid = 5,
}

/// <summary>What a verified tip turned out to be. Append only.</summary>
public enum TipFinding
{
    /// <summary>A major hazard, registered through its enterprise with channel VerifiedTip.</summary>
    MajorHazard = 1,

    /// <summary>A violation (非法违法行为) recorded with a note; no hazard record.</summary>
    Violation = 2,
}

/// <summary>A tip's resource key, <c>{county code}/{number}</c>: the county is the handling office,
/// numbers are dense per county (<see cref="ITipDeskGrain"/>).</summary>
public readonly record struct TipKey(string CountyCode, int Number)
{
    public override string ToString() => $"{CountyCode}/{Number.ToString(CultureInfo.InvariantCulture)}";

    public static TipKey Parse(string id)
    {
        var slash = id.IndexOf('/', StringComparison.Ordinal);
        return new(id[..slash], int.Parse(id[(slash + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>Listing order: county, then number.</summary>
    public static int Compare(string a, string b)
    {
        var (x, y) = (Parse(a), Parse(b));
        var county = string.CompareOrdinal(x.CountyCode, y.CountyCode);
        return county != 0 ? county : x.Number.CompareTo(y.Number);
    }
}

/// <summary>
/// Who made a named tip (举报人). Its <see cref="ToString"/> withholds both values, so that the
/// identity never reaches a log line by way of a record printed whole (Orleans' storage providers
/// log grain state at Trace level by its ToString; the tip tests caught exactly that).
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.TipsterIdentity")]
public sealed record TipsterIdentity(string Name, string? Phone)
{
    public static TipsterIdentity Validate(TipsterIdentity tipster, string field)
    {
        var person = Person.Validate(new Person(tipster.Name, tipster.Phone), field);
        return new(person.Name, person.Phone);
    }

    public override string ToString() => "TipsterIdentity { withheld }";
}

/// <summary>
/// A tip as a system records it on receipt. It names an enterprise (<see cref="CreditCode"/>) or
/// an address (<see cref="Address"/> in <see cref="TownCode"/>); the town decides the handling
/// office (its county). <see cref="Tipster"/> is null for an anonymous tip.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.TipReport")]
public sealed record TipReport(
    TipChannel Channel,
    string? CreditCode,
    string TownCode,
    string? Address,
    string Content,
    DateTimeOffset? ReceivedAt,
    TipsterIdentity? Tipster)
{
    /// <summary>Checks the report's own fields (the town is resolved and checked by the caller).
    /// Messages never quote the tipster's name or phone.</summary>
    public TipReport Validate(DateTimeOffset now)
    {
        if (!Enum.IsDefined(Channel))
        {
            throw DomainException.Invalid("tip.channel", Channel == default ? "is required: a tip channel" : $"{(int)Channel} is not a known tip channel");
        }

        var address = TextLimits.Optional(Address, "tip.address", TextLimits.Location);
        if (CreditCode is null && address is null)
        {
            throw DomainException.Invalid("tip.address", "is required when the tip names no enterprise");
        }

        if (ReceivedAt is { } at && at > now.AddMinutes(5))
        {
            throw DomainException.Invalid("tip.receive_time", "lies in the future");
        }

        if (ReceivedAt is { } early && early.Year < 2000)
        {
            throw DomainException.Invalid("tip.receive_time", "lies before 2000");
        }

        return this with
        {
            Address = address,
            Content = TextLimits.Required(Content, "tip.content", TextLimits.Description),
            Tipster = Tipster is null ? null : TipsterIdentity.Validate(Tipster, "tip.tipster"),
        };
    }
}

/// <summary>
/// A rewarded tip (有奖举报) as it stands at <see cref="Version"/>. <see cref="Tipster"/> is the
/// tipster's identity: the gateway shows it only to the handling office, and it leaves this record
/// for nothing else (not the town ledger's <see cref="Facts"/>, not a log line, not an error message).
/// Amounts are in fen (0.01 yuan).
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.RewardedTip")]
public sealed record RewardedTip(
    string Id,
    long Version,
    TipChannel Channel,
    string TownCode,
    string? CreditCode,
    string? Address,
    string Content,
    TipsterIdentity? Tipster,
    DateTimeOffset ReceivedAt,
    DateTimeOffset VerificationDueAt,
    bool VerificationDueProvisional,
    TipStatus Status,
    TipFinding? Finding,
    string? HazardId,
    string? Note,
    DateTimeOffset? ResolvedAt,
    long? RewardFen,
    DateTimeOffset? RewardDecidedAt,
    DateTimeOffset? PaidAt,
    string? PaymentReference,
    DateTimeOffset UpdatedAt)
{
    public string CountyCode => TipKey.Parse(Id).CountyCode;

    public bool IsAnonymous => Tipster is null;

    /// <summary>What the town ledger keeps of this tip: no identity, no typed text.</summary>
    public TipFacts Facts => new(
        Id, Version, TownCode, Channel, Status, ReceivedAt, VerificationDueAt, ResolvedAt, Finding, CreditCode, HazardId,
        Status == TipStatus.RewardPaid ? RewardFen ?? 0 : 0, PaidAt, IsAnonymous, UpdatedAt, RewardFen);
}

/// <summary>A tip with the domain time it was read at (to judge an overdue verification by).</summary>
[GenerateSerializer, Immutable, Alias("hg.TipView")]
public sealed record TipView(RewardedTip Tip, DateTimeOffset AsOf);

/// <summary>
/// What the rollups and lists need of one tip, versioned like <see cref="Rollups.HazardFacts"/>
/// (only a newer version replaces an older). Holds no identity of the tipster and no typed text.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.TipFacts")]
public sealed record TipFacts(
    string TipId,
    long Version,
    string TownCode,
    TipChannel Channel,
    TipStatus Status,
    DateTimeOffset ReceivedAt,
    DateTimeOffset VerificationDueAt,
    DateTimeOffset? ResolvedAt,
    TipFinding? Finding,
    string? CreditCode,
    string? HazardId,
    long PaidFen,
    DateTimeOffset? PaidAt,
    bool Anonymous,
    DateTimeOffset UpdatedAt,
    long? RewardFen)
{
    /// <summary>Verified (whatever came after: a reward decided or paid).</summary>
    public bool IsVerified => Status is TipStatus.Verified or TipStatus.RewardDecided or TipStatus.RewardPaid;

    /// <summary>Neither verified nor dismissed when its verification fell due.</summary>
    public bool IsVerificationOverdueAt(DateTimeOffset now) => Status == TipStatus.Received && VerificationDueAt < now;
}

/// <summary>A change to a tip after receipt; see the tip lifecycle in the grains.</summary>
[GenerateSerializer, Immutable, Alias("hg.TipCommand")]
public abstract record TipCommand;

/// <summary>Verified as a major hazard: registered at <see cref="CreditCode"/> (the tip's
/// enterprise when null) with channel VerifiedTip and a link to the tip.</summary>
[GenerateSerializer, Immutable, Alias("hg.VerifyTipAsHazard")]
public sealed record VerifyTipAsHazard(string? CreditCode, Sector Sector, string Criterion, string Location, string Description, DateTimeOffset? FoundAt, string? Note) : TipCommand;

/// <summary>Verified as a violation, recorded with a note.</summary>
[GenerateSerializer, Immutable, Alias("hg.VerifyTipAsViolation")]
public sealed record VerifyTipAsViolation(string Note) : TipCommand;

[GenerateSerializer, Immutable, Alias("hg.DismissTip")]
public sealed record DismissTip(string Reason) : TipCommand;

/// <summary>The reward decided for a verified tip, in fen (0.01 yuan).</summary>
[GenerateSerializer, Immutable, Alias("hg.DecideTipReward")]
public sealed record DecideTipReward(long AmountFen, string? Note) : TipCommand;

/// <summary>The decided reward paid out (兑现).</summary>
[GenerateSerializer, Immutable, Alias("hg.RecordTipRewardPayment")]
public sealed record RecordTipRewardPayment(DateTimeOffset? PaidAt, string Reference) : TipCommand;

/// <summary>
/// One tip, keyed by <c>{county code}/{number}</c>. Received through its county's
/// <see cref="ITipDeskGrain"/> (which numbers it); changed by the tip commands. Hands its
/// <see cref="TipFacts"/> to its town before answering, so a write is acknowledged only once the
/// figures can count it. Calls go down only: tip → enterprise (a verified hazard) and tip → town.
/// </summary>
[Alias("hg.IRewardedTipGrain")]
public interface IRewardedTipGrain : IGrainWithStringKey
{
    /// <summary>Records the tip under this key (the desk chose it); a repeated request id answers the first result.</summary>
    [Alias("Receive")]
    Task<TipView> Receive(TipReport report, WriteRequest request);

    [Alias("Execute")]
    Task<TipView> Execute(TipCommand command, WriteRequest request);

    /// <summary>The tip with the tipster's identity: the gateway decides who sees it. NOT_FOUND if never received.</summary>
    [Alias("Get")]
    Task<TipView> Get();
}

/// <summary>
/// A county's tip desk (the handling office's intake), keyed by the six-digit county code: numbers
/// the county's tips densely and remembers which request id took which number, so a retried
/// report lands on the same tip.
/// </summary>
[Alias("hg.ITipDeskGrain")]
public interface ITipDeskGrain : IGrainWithStringKey
{
    [Alias("Report")]
    Task<TipView> Report(TipReport report, WriteRequest request);
}

/// <summary>Tips of a region for a list page: facts only, never identity.</summary>
[GenerateSerializer, Immutable, Alias("hg.TipPage")]
public sealed record TipPage(ImmutableArray<TipFacts> Tips, bool More, DateTimeOffset AsOf);

/// <summary>The tip settings (<c>HazardGrid:Tips</c>).</summary>
public sealed class TipOptions
{
    public const string Section = "HazardGrid:Tips";

    /// <summary>
    /// Working days (China's official calendar) from receipt within which the handling office must
    /// verify or dismiss a tip; later it counts as an overdue verification. The seeds give no
    /// period; 15 working days (about three calendar weeks) is this project's choice: short
    /// enough for 004's "快奖" (quick rewards), long enough for an on-site check.
    /// </summary>
    public int VerificationWorkingDays { get; set; } = 15;
}
