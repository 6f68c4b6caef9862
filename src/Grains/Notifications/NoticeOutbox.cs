using System.Collections.Immutable;
using HazardGrid.Common;

namespace HazardGrid.Notifications;

/// <summary>
/// A hazard's notices as its outbox, in pure functions: which notices wait to be sent, how an
/// attempt's result or a gateway's receipt changes them. Each function answers the same list
/// instance when nothing changes, so the grain writes only when something did.
/// </summary>
public static class NoticeOutbox
{
    /// <summary>Notices just made, marked pending when delivery is on; untouched (never sent) when off.</summary>
    public static IEnumerable<Notification> Outgoing(IEnumerable<Notification> fresh, bool deliveryOn) =>
        deliveryOn ? fresh.Select(n => n with { Delivery = NoticeDelivery.Pending }) : fresh;

    /// <summary>The notices waiting for an attempt.</summary>
    public static ImmutableArray<Notification> Pending(IEnumerable<Notification> notices) =>
        [.. notices.Where(n => n.Delivery?.State == DeliveryState.Pending)];

    /// <summary>
    /// Records attempts' results. A result counts only if the notice is still pending at the
    /// attempt before it (a receipt, or the same attempt recorded twice, wins). A failure on the
    /// last allowed attempt dead-letters the notice as undelivered with the error.
    /// </summary>
    public static ImmutableList<Notification> ApplyAttempts(ImmutableList<Notification> notices, IEnumerable<NoticeAttempt> attempts, int maxAttempts)
    {
        var next = notices;
        foreach (var attempt in attempts)
        {
            var index = next.FindIndex(n => n.Id == attempt.NoticeId);
            if (index < 0 || next[index].Delivery is not { State: DeliveryState.Pending } delivery || delivery.Attempts != attempt.Attempt - 1)
            {
                continue;
            }

            var recorded = delivery with { Attempts = attempt.Attempt, LastAttemptAt = attempt.At };
            recorded = attempt.Accepted
                ? recorded with { State = DeliveryState.Accepted, AcceptedAt = attempt.At }
                : recorded with { LastError = attempt.Error, State = attempt.Attempt >= maxAttempts ? DeliveryState.Undelivered : DeliveryState.Pending };
            next = next.SetItem(index, next[index] with { Delivery = recorded });
        }

        return next;
    }

    /// <summary>
    /// Records a gateway's receipt: delivered or failed (a failure dead-letters the notice). The same
    /// receipt again changes nothing. Refused: a notice the hazard does not hold (NOT_FOUND), one
    /// never sent, or one already final by another receipt (FAILED_PRECONDITION).
    /// </summary>
    public static (ImmutableList<Notification> Notices, Notification Notice) ApplyReceipt(ImmutableList<Notification> notices, NoticeReceipt receipt)
    {
        var index = notices.FindIndex(n => n.Id == receipt.NoticeId);
        if (index < 0)
        {
            throw DomainException.NotFound("notice_id", $"the hazard has no notice {receipt.NoticeId}");
        }

        var notice = notices[index];
        if (notice.Delivery is not { } delivery)
        {
            throw DomainException.Precondition("notice_id", $"notice {receipt.NoticeId} was never sent (no delivery was configured when it was made)");
        }

        if (delivery.ReceiptId == receipt.ReceiptId)
        {
            return (notices, notice);
        }

        if (delivery.IsFinal && delivery.ReceiptId is not null)
        {
            throw DomainException.Precondition("receipt_id", $"notice {receipt.NoticeId} already has the final receipt {delivery.ReceiptId}");
        }

        // A receipt may overtake the webhook's own answer (or follow a dead letter whose last call
        // did reach the gateway): it is the better word on what happened, so it stands.
        var recorded = receipt.Outcome == ReceiptOutcome.Delivered
            ? delivery with { State = DeliveryState.Delivered, DeliveredAt = receipt.At, AcceptedAt = delivery.AcceptedAt ?? receipt.At, ReceiptId = receipt.ReceiptId }
            : delivery with { State = DeliveryState.Undelivered, LastError = string.IsNullOrEmpty(receipt.Detail) ? "the gateway reported it undeliverable" : receipt.Detail, ReceiptId = receipt.ReceiptId };
        var changed = notice with { Delivery = recorded };
        return (notices.SetItem(index, changed), changed);
    }
}
