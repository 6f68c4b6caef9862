namespace HazardGrid.Notifications;

/// <summary>Where a notice stands on its way to its recipient. Stored by number: append only.</summary>
public enum DeliveryState
{
    /// <summary>Waiting for its first or next attempt (the hazard's state is the outbox).</summary>
    Pending = 1,

    /// <summary>The delivery gateway (SMS, government messaging) answered the webhook with a 2xx:
    /// it took the notice. Not yet proof that the recipient got it.</summary>
    Accepted = 2,

    /// <summary>The gateway's receipt says the notice reached the recipient (final).</summary>
    Delivered = 3,

    /// <summary>The dead letter: every configured attempt failed, or the gateway's receipt says it
    /// could not reach the recipient (final; the supervisors must tell the recipient another way).</summary>
    Undelivered = 4,
}

/// <summary>
/// A notice's delivery record, kept on the notice in the hazard's state: the answer to "was the
/// principal told, and when". Replaced as a whole at each step (an attempt, an answer, a receipt).
/// </summary>
/// <param name="State">Where it stands.</param>
/// <param name="Attempts">Webhook calls made so far.</param>
/// <param name="LastAttemptAt">Domain time of the latest webhook call; null before the first.</param>
/// <param name="LastError">Why the latest failed call failed (an HTTP status or a transport error), or
/// what a failure receipt reported; null when none failed.</param>
/// <param name="AcceptedAt">When the gateway took it (its 2xx answer, or a receipt that came first).</param>
/// <param name="DeliveredAt">When it reached the recipient, as the gateway's receipt says.</param>
/// <param name="ReceiptId">The gateway's own id of the receipt recorded last (its reference for the message).</param>
[GenerateSerializer, Immutable, Alias("hg.NoticeDelivery")]
public sealed record NoticeDelivery(
    DeliveryState State,
    int Attempts,
    DateTimeOffset? LastAttemptAt,
    string? LastError,
    DateTimeOffset? AcceptedAt,
    DateTimeOffset? DeliveredAt,
    string? ReceiptId)
{
    public static NoticeDelivery Pending { get; } = new(DeliveryState.Pending, 0, null, null, null, null, null);

    /// <summary>Nothing more will be sent (delivered, or dead-lettered).</summary>
    public bool IsFinal => State is DeliveryState.Delivered or DeliveryState.Undelivered;
}

/// <summary>What the gateway's asynchronous receipt says of a notice.</summary>
public enum ReceiptOutcome
{
    /// <summary>It reached the recipient (the handset's or mailbox's delivery report).</summary>
    Delivered = 1,

    /// <summary>It could not reach the recipient (unknown number, switched off past the gateway's own retries).</summary>
    Failed = 2,
}

/// <summary>
/// A delivery receipt sent back by the gateway for one notice. <see cref="ReceiptId"/> is the
/// gateway's id of this receipt: recording the same receipt again changes nothing.
/// </summary>
/// <param name="NoticeId">The notice's id, as sent in the webhook.</param>
/// <param name="Outcome">Delivered or failed.</param>
/// <param name="At">When the gateway says it happened.</param>
/// <param name="ReceiptId">The gateway's id of the receipt (1–128 characters).</param>
/// <param name="Detail">The gateway's words on a failure (e.g. its error code); may be empty.</param>
[GenerateSerializer, Immutable, Alias("hg.NoticeReceipt")]
public sealed record NoticeReceipt(string NoticeId, ReceiptOutcome Outcome, DateTimeOffset At, string ReceiptId, string? Detail);

/// <summary>The result of one webhook call for one notice: accepted, or failed with a reason.
/// <paramref name="Attempt"/> is the attempt's number (1 for the first), so a result that arrives
/// after the notice moved on is recognised and ignored.</summary>
[GenerateSerializer, Immutable, Alias("hg.NoticeAttempt")]
public sealed record NoticeAttempt(string NoticeId, int Attempt, DateTimeOffset At, string? Error)
{
    public bool Accepted => Error is null;
}
