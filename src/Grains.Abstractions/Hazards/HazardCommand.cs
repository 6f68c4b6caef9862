using System.Collections.Immutable;

namespace HazardGrid.Hazards;

/// <summary>
/// A change to an existing hazard, as one immutable message. The message is also what a retry is
/// recognised by: its fingerprint is the hash of the message itself (RequestFingerprint in the grains).
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.HazardCommand")]
public abstract record HazardCommand;

/// <summary>Registered → Rectifying, with a deadline and a plan.</summary>
[GenerateSerializer, Immutable, Alias("hg.StartRectification")]
public sealed record StartRectification([property: Id(0)] DateTimeOffset Deadline, [property: Id(1)] string Plan) : HazardCommand;

[GenerateSerializer, Immutable, Alias("hg.RecordProgress")]
public sealed record RecordProgress([property: Id(0)] int Percent, [property: Id(1)] string Note) : HazardCommand;

/// <summary>Rectifying → AwaitingVerification.</summary>
[GenerateSerializer, Immutable, Alias("hg.SubmitForVerification")]
public sealed record SubmitForVerification([property: Id(0)] string Note) : HazardCommand;

/// <summary>AwaitingVerification → Rectifying: on-site verification found the work incomplete.</summary>
[GenerateSerializer, Immutable, Alias("hg.ReturnForRectification")]
public sealed record ReturnForRectification([property: Id(0)] string Reason) : HazardCommand;

[GenerateSerializer, Immutable, Alias("hg.ConfirmRectification")]
public sealed record ConfirmRectification([property: Id(0)] PartyConfirmation Confirmation) : HazardCommand;

/// <summary>AwaitingVerification → Closed, only with the three-party confirmation complete.</summary>
[GenerateSerializer, Immutable, Alias("hg.CloseHazard")]
public sealed record CloseHazard([property: Id(0)] ImmutableArray<PartyConfirmation> Confirmations) : HazardCommand;

/// <summary>Any open status → Withdrawn (reported in error) or Invalid (not a major hazard after all).</summary>
[GenerateSerializer, Immutable, Alias("hg.WithdrawHazard")]
public sealed record WithdrawHazard([property: Id(0)] bool Invalid, [property: Id(1)] string Reason) : HazardCommand;

/// <summary>A supervisor's decision to move the deadline later; the ladder re-plans from it.</summary>
[GenerateSerializer, Immutable, Alias("hg.ExtendDeadline")]
public sealed record ExtendDeadline([property: Id(0)] DateTimeOffset NewDeadline, [property: Id(1)] string Reason, [property: Id(2)] string DecidedBy) : HazardCommand;

/// <summary>A supervisor raises the level the hazard is supervised at (提级督办).</summary>
[GenerateSerializer, Immutable, Alias("hg.RaiseSupervisionLevel")]
public sealed record RaiseSupervisionLevel([property: Id(0)] string Reason, [property: Id(1)] string DecidedBy) : HazardCommand;

/// <summary>The ladder's own command: fire <see cref="Step"/>, due at <see cref="DueAt"/>, if it still is,
/// and notify <see cref="Addressees"/> (the enterprise's people as its profile names them now).</summary>
[GenerateSerializer, Immutable, Alias("hg.FireEscalation")]
public sealed record FireEscalation([property: Id(0)] Escalations.EscalationStep Step, [property: Id(1)] DateTimeOffset DueAt, [property: Id(2)] [property: System.Text.Json.Serialization.JsonIgnore] Notifications.Addressees Addressees) : HazardCommand;

/// <summary>One update of a batch: the command, its request, and the wire path of the update in the
/// batch (e.g. <c>updates[3].close_hazard</c>) that a refusal's field is reported under.</summary>
[GenerateSerializer, Immutable, Alias("hg.HazardUpdate")]
public sealed record HazardUpdate([property: Id(0)] string FieldPath, [property: Id(1)] HazardCommand Command, [property: Id(2)] Common.WriteRequest Request);
