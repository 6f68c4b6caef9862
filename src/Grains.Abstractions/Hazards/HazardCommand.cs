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
public sealed record StartRectification(DateTimeOffset Deadline, string Plan) : HazardCommand;

[GenerateSerializer, Immutable, Alias("hg.RecordProgress")]
public sealed record RecordProgress(int Percent, string Note) : HazardCommand;

/// <summary>Rectifying → AwaitingVerification.</summary>
[GenerateSerializer, Immutable, Alias("hg.SubmitForVerification")]
public sealed record SubmitForVerification(string Note) : HazardCommand;

/// <summary>AwaitingVerification → Rectifying: on-site verification found the work incomplete.</summary>
[GenerateSerializer, Immutable, Alias("hg.ReturnForRectification")]
public sealed record ReturnForRectification(string Reason) : HazardCommand;

[GenerateSerializer, Immutable, Alias("hg.ConfirmRectification")]
public sealed record ConfirmRectification(PartyConfirmation Confirmation) : HazardCommand;

/// <summary>AwaitingVerification → Closed, only with the three-party confirmation complete.</summary>
[GenerateSerializer, Immutable, Alias("hg.CloseHazard")]
public sealed record CloseHazard(ImmutableArray<PartyConfirmation> Confirmations) : HazardCommand;

/// <summary>Any open status → Withdrawn (reported in error) or Invalid (not a major hazard after all).</summary>
[GenerateSerializer, Immutable, Alias("hg.WithdrawHazard")]
public sealed record WithdrawHazard(bool Invalid, string Reason) : HazardCommand;

/// <summary>A supervisor's decision to move the deadline later; the ladder re-plans from it.</summary>
[GenerateSerializer, Immutable, Alias("hg.ExtendDeadline")]
public sealed record ExtendDeadline(DateTimeOffset NewDeadline, string Reason, string DecidedBy) : HazardCommand;

/// <summary>A supervisor raises the level the hazard is supervised at (提级督办).</summary>
[GenerateSerializer, Immutable, Alias("hg.RaiseSupervisionLevel")]
public sealed record RaiseSupervisionLevel(string Reason, string DecidedBy) : HazardCommand;

/// <summary>The ladder's own command: fire <see cref="Step"/>, due at <see cref="DueAt"/>, if it still is,
/// and notify <see cref="Addressees"/> (the enterprise's people as its profile names them now).</summary>
[GenerateSerializer, Immutable, Alias("hg.FireEscalation")]
public sealed record FireEscalation(Escalations.EscalationStep Step, DateTimeOffset DueAt, [property: System.Text.Json.Serialization.JsonIgnore] Notifications.Addressees Addressees) : HazardCommand;

// Issue 11 parts 4 and 5: the ladder snapshot's re-plan and extension requests.

/// <summary>A supervisor's decision to move a running hazard from the ladder it was listed under to
/// the ladder in force now (the current policy); the trail names both versions.</summary>
[GenerateSerializer, Immutable, Alias("hg.ReplanLadder")]
public sealed record ReplanLadder(string Reason, string DecidedBy) : HazardCommand;

/// <summary>The enterprise asks for a later deadline (sent by a system on its behalf); it stays
/// pending on the hazard, one at a time, until the supervising office decides.</summary>
[GenerateSerializer, Immutable, Alias("hg.RequestExtension")]
public sealed record RequestExtension(DateTimeOffset NewDeadline, string Reason) : HazardCommand;

/// <summary>The supervising office approves (the deadline moves, the ladder re-plans) or refuses
/// (only recorded) the pending extension request.</summary>
[GenerateSerializer, Immutable, Alias("hg.DecideExtension")]
public sealed record DecideExtension(bool Approve, string Reason, string DecidedBy) : HazardCommand;

/// <summary>One update of a batch: the command, its request, and the wire path of the update in the
/// batch (e.g. <c>updates[3].close_hazard</c>) that a refusal's field is reported under.</summary>
[GenerateSerializer, Immutable, Alias("hg.HazardUpdate")]
public sealed record HazardUpdate(string FieldPath, HazardCommand Command, Common.WriteRequest Request);
