namespace HazardGrid.Notifications;

/// <summary>
/// The outbound delivery interface: hands one notice to whatever reaches its recipient (an SMS or
/// government-messaging gateway). The shipped implementation is <see cref="WebhookNoticeDelivery"/>;
/// another (a gateway's own API) implements this and is registered in its place.
/// </summary>
public interface INoticeDelivery
{
    /// <summary>False when nothing is configured: notices are then recorded but not sent.</summary>
    bool Enabled { get; }

    /// <summary>One attempt (numbered from 1) to hand the notice over. Answers null when the gateway
    /// took it, otherwise why not (never throws for a failed call). The same notice may be sent more
    /// than once (a retry after a lost answer): the receiver dedupes on the notice's id.</summary>
    Task<string?> Send(Notification notice, int attempt, CancellationToken cancellationToken);
}

/// <summary>Delivery is off (no webhook configured).</summary>
public sealed class NoNoticeDelivery : INoticeDelivery
{
    public bool Enabled => false;

    public Task<string?> Send(Notification notice, int attempt, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("notice delivery is not configured");
}
