using System.Collections.Immutable;

namespace HazardGrid.Hazards;

/// <summary>
/// A change to an existing hazard, as one immutable message. <see cref="Fingerprint"/> identifies
/// the request's content so that a request id reused for a different change is refused rather
/// than silently answered with the first result.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.HazardCommand")]
public abstract record HazardCommand
{
    public abstract string Fingerprint { get; }
}

/// <summary>Registered → Rectifying, with a deadline and a plan.</summary>
[GenerateSerializer, Immutable, Alias("hg.StartRectification")]
public sealed record StartRectification(DateTimeOffset Deadline, string Plan) : HazardCommand
{
    public override string Fingerprint => $"start|{Deadline.UtcTicks}|{Plan}";
}

[GenerateSerializer, Immutable, Alias("hg.RecordProgress")]
public sealed record RecordProgress(int Percent, string Note) : HazardCommand
{
    public override string Fingerprint => $"progress|{Percent}|{Note}";
}

/// <summary>Rectifying → AwaitingVerification.</summary>
[GenerateSerializer, Immutable, Alias("hg.SubmitForVerification")]
public sealed record SubmitForVerification(string Note) : HazardCommand
{
    public override string Fingerprint => $"submit|{Note}";
}

/// <summary>AwaitingVerification → Rectifying: on-site verification found the work incomplete.</summary>
[GenerateSerializer, Immutable, Alias("hg.ReturnForRectification")]
public sealed record ReturnForRectification(string Reason) : HazardCommand
{
    public override string Fingerprint => $"return|{Reason}";
}

[GenerateSerializer, Immutable, Alias("hg.ConfirmRectification")]
public sealed record ConfirmRectification(PartyConfirmation Confirmation) : HazardCommand
{
    public override string Fingerprint => $"confirm|{Confirmation.Party}|{Confirmation.Name}|{Confirmation.ConfirmedAt.UtcTicks}";
}

/// <summary>AwaitingVerification → Closed, only with the three-party confirmation complete.</summary>
[GenerateSerializer, Immutable, Alias("hg.CloseHazard")]
public sealed record CloseHazard(ImmutableArray<PartyConfirmation> Confirmations) : HazardCommand
{
    public override string Fingerprint =>
        "close|" + string.Join(';', Confirmations.Select(c => $"{c.Party}|{c.Name}|{c.ConfirmedAt.UtcTicks}"));
}

/// <summary>Any open status → Withdrawn (reported in error) or Invalid (not a major hazard after all).</summary>
[GenerateSerializer, Immutable, Alias("hg.WithdrawHazard")]
public sealed record WithdrawHazard(bool Invalid, string Reason) : HazardCommand
{
    public override string Fingerprint => $"withdraw|{Invalid}|{Reason}";
}

/// <summary>A supervisor's decision to move the deadline later; the ladder re-plans from it.</summary>
[GenerateSerializer, Immutable, Alias("hg.ExtendDeadline")]
public sealed record ExtendDeadline(DateTimeOffset NewDeadline, string Reason, string DecidedBy) : HazardCommand
{
    public override string Fingerprint => $"extend|{NewDeadline.UtcTicks}|{Reason}|{DecidedBy}";
}

/// <summary>A supervisor raises the level the hazard is supervised at (提级督办).</summary>
[GenerateSerializer, Immutable, Alias("hg.RaiseSupervisionLevel")]
public sealed record RaiseSupervisionLevel(string Reason, string DecidedBy) : HazardCommand
{
    public override string Fingerprint => $"raise|{Reason}|{DecidedBy}";
}

/// <summary>The ladder's own command: fire <see cref="Step"/>, due at <see cref="DueAt"/>, if it still is,
/// and notify <see cref="Addressees"/> (the enterprise's people as its profile names them now).</summary>
[GenerateSerializer, Immutable, Alias("hg.FireEscalation")]
public sealed record FireEscalation(Escalations.EscalationStep Step, DateTimeOffset DueAt, Notifications.Addressees Addressees) : HazardCommand
{
    public override string Fingerprint => $"fire|{Step}|{DueAt.UtcTicks}";
}

/// <summary>One update of a batch: the command, its request, and the wire path of the update in the
/// batch (e.g. <c>updates[3].close_hazard</c>) that a refusal's field is reported under.</summary>
[GenerateSerializer, Immutable, Alias("hg.HazardUpdate")]
public sealed record HazardUpdate(string FieldPath, HazardCommand Command, Common.WriteRequest Request);
