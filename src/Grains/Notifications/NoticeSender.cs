using System.Diagnostics.Metrics;
using HazardGrid.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HazardGrid.Notifications;

/// <summary>
/// What every hazard activation shares for sending its notices: the delivery interface, the
/// webhook's settings, the grain factory (for the towns' outboxes), the log and the metrics.
/// Logs and metrics name notices by id only, never a recipient's name or phone.
/// </summary>
public sealed class NoticeSender(INoticeDelivery delivery, IOptions<NoticeWebhookOptions> options, IGrainFactory grains, ILogger<NoticeSender> logger)
{
    private static readonly Meter s_meter = new(HazardGridMetrics.MeterName);

    private static readonly Counter<long> s_notices = s_meter.CreateCounter<long>(
        "hazardgrid.notices", unit: "{notice}", description: "Notice delivery steps, by outcome: accepted, failed (an attempt that will be retried), undelivered (dead-lettered), delivered and receipt_failed (gateway receipts).");

    public bool Enabled => delivery.Enabled;

    public NoticeWebhookOptions Options => options.Value;

    public INoticeOutboxGrain Outbox(string townCode) => grains.Reference<INoticeOutboxGrain>(townCode);

    public Task<string?> Send(Notification notice, int attempt, CancellationToken cancellationToken) => delivery.Send(notice, attempt, cancellationToken);

    /// <summary>Counts what a change did to the notices it touched, and logs each dead letter.</summary>
    public void Recorded(IReadOnlyList<Notification> before, IReadOnlyList<Notification> after)
    {
        var earlier = before.ToDictionary(n => n.Id, n => n.Delivery, StringComparer.Ordinal);
        foreach (var notice in after)
        {
            if (notice.Delivery is not { } now || (earlier.TryGetValue(notice.Id, out var was) && Equals(was, now)))
            {
                continue;
            }

            var outcome = now.State switch
            {
                DeliveryState.Accepted => "accepted",
                DeliveryState.Delivered => "delivered",
                DeliveryState.Undelivered when now.ReceiptId is not null => "receipt_failed",
                DeliveryState.Undelivered => "undelivered",
                _ => "failed",
            };
            s_notices.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
            if (now.State == DeliveryState.Undelivered)
            {
                logger.LogWarning("Notice {NoticeId} undelivered after {Attempts} attempts: {Error}", notice.Id, now.Attempts, now.LastError);
            }
        }
    }

    public void Failed(string hazardId, Exception error) =>
        logger.LogWarning(error, "Recording notice attempts of hazard {HazardId} failed; retried later", hazardId);
}
