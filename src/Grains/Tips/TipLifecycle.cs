using HazardGrid.Common;

namespace HazardGrid.Tips;

/// <summary>
/// The rules of a rewarded tip's life, as pure functions: Received → Verified (as a major hazard or
/// a violation) | Dismissed (with a reason); Verified → RewardDecided (an amount in fen) →
/// RewardPaid (兑现). A step the tip's state does not allow is FAILED_PRECONDITION; a malformed one
/// INVALID_ARGUMENT. No message ever quotes the tipster.
/// </summary>
public static class TipLifecycle
{
    /// <summary>The largest reward one tip may be given, in fen: ¥10,000,000. 004's largest example
    /// is ¥500,000; the bound only catches a unit mistake (yuan sent as fen × 100 twice).</summary>
    public const long MaxRewardFen = 10_000_000_00;

    public static RewardedTip Receive(string id, TipReport report, string townCode, DateTimeOffset now, WorkingDayResult due) => new(
        id, 1, report.Channel, townCode, report.CreditCode, report.Address, report.Content, report.Tipster,
        report.ReceivedAt ?? now, due.Due, due.Provisional, TipStatus.Received, null, null, null, null, null, null, null, null, now);

    /// <summary>Checks a command's own fields before anything is done for it (the hazard a
    /// verification registers is made only after this).</summary>
    public static TipCommand Validate(TipCommand command, DateTimeOffset now) => command switch
    {
        VerifyTipAsHazard c => c with
        {
            Note = TextLimits.Optional(c.Note, "note", TextLimits.Note),
            FoundAt = c.FoundAt is { } at && at > now.AddMinutes(5) ? throw DomainException.Invalid("as_hazard.found_time", "lies in the future") : c.FoundAt,
        },
        VerifyTipAsViolation c => c with { Note = TextLimits.Required(c.Note, "as_violation.note", TextLimits.Note) },
        DismissTip c => c with { Reason = TextLimits.Required(c.Reason, "reason", TextLimits.Note) },
        DecideTipReward c => c.AmountFen is <= 0 or > MaxRewardFen
            ? throw DomainException.Invalid("amount_fen", $"must be from 1 fen to {MaxRewardFen} fen (¥10,000,000)")
            : c with { Note = TextLimits.Optional(c.Note, "note", TextLimits.Note) },
        RecordTipRewardPayment c => c.PaidAt is { } paid && paid > now.AddMinutes(5)
            ? throw DomainException.Invalid("pay_time", "lies in the future")
            : c with { Reference = TextLimits.Required(c.Reference, "payment_reference", TextLimits.Criterion) },
        _ => throw DomainException.Invalid("command", $"unknown tip command {command.GetType().Name}"),
    };

    /// <summary>Applies a validated command. <paramref name="hazardId"/> is the hazard a verification
    /// as a hazard registered (or landed on).</summary>
    public static RewardedTip Apply(RewardedTip tip, TipCommand command, DateTimeOffset now, string? hazardId = null) => (command switch
    {
        VerifyTipAsHazard c => Resolve(tip, now, "verify") with
        {
            Status = TipStatus.Verified, Finding = TipFinding.MajorHazard, HazardId = hazardId, Note = c.Note, CreditCode = c.CreditCode ?? tip.CreditCode,
        },
        VerifyTipAsViolation c => Resolve(tip, now, "verify") with { Status = TipStatus.Verified, Finding = TipFinding.Violation, Note = c.Note },
        DismissTip c => Resolve(tip, now, "dismiss") with { Status = TipStatus.Dismissed, Note = c.Reason },
        DecideTipReward c => Require(tip, TipStatus.Verified, "decide a reward for") with
        {
            Status = TipStatus.RewardDecided, RewardFen = c.AmountFen, RewardDecidedAt = now, Note = c.Note ?? tip.Note,
        },
        RecordTipRewardPayment c => Require(tip, TipStatus.RewardDecided, "record the payment of") with
        {
            Status = TipStatus.RewardPaid, PaidAt = c.PaidAt ?? now, PaymentReference = c.Reference,
        },
        _ => throw DomainException.Invalid("command", $"unknown tip command {command.GetType().Name}"),
    }) with { Version = tip.Version + 1, UpdatedAt = now };

    /// <summary>The tip a verification as a hazard may proceed on: still received, and naming an
    /// enterprise (its own, or the one the verification gives).</summary>
    public static string HazardEnterprise(RewardedTip tip, VerifyTipAsHazard command)
    {
        Resolve(tip, tip.UpdatedAt, "verify");
        return command.CreditCode ?? tip.CreditCode
            ?? throw DomainException.Invalid("as_hazard.enterprise", "is required: the tip names an address, not an enterprise, and a major hazard is registered at an enterprise");
    }

    private static RewardedTip Resolve(RewardedTip tip, DateTimeOffset now, string what) =>
        Require(tip, TipStatus.Received, what) with { ResolvedAt = now };

    private static RewardedTip Require(RewardedTip tip, TipStatus status, string what) =>
        tip.Status == status
            ? tip
            : throw DomainException.Precondition("status", $"cannot {what} tip {tip.Id}: it is {Describe(tip.Status)}, and only a {Describe(status)} tip allows it");

    public static string Describe(TipStatus status) => status switch
    {
        TipStatus.Received => "received (awaiting verification)",
        TipStatus.Verified => "verified",
        TipStatus.Dismissed => "dismissed",
        TipStatus.RewardDecided => "verified with its reward decided",
        TipStatus.RewardPaid => "verified with its reward paid",
        _ => status.ToString(),
    };
}
