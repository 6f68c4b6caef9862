namespace HazardGrid.Notifications;

public enum NotificationKind
{
    /// <summary>A new major hazard was registered at the enterprise (001 item 5).</summary>
    NewMajorHazard = 1,

    /// <summary>A rung of the escalation ladder fired (letter, circular, summons, exposure, investigation).</summary>
    Escalation = 2,
}

/// <summary>Whom a notification is addressed to. Stored by number: 3 was a safety director, never
/// addressed, and is not to be reused.</summary>
public enum RecipientRole
{
    Principal = 1,
    ActualController = 2,

    /// <summary>The office supervising the hazard at its listed level.</summary>
    SupervisingOffice = 4,
}

/// <summary>
/// A notification record: who must be told what, about which hazard. <see cref="Id"/> is
/// deterministic (hazard, kind or ladder step, role) so recording it twice is harmless.
/// <see cref="Delivery"/> says whether and when it left through the outbound delivery interface
/// (null: made while no delivery was configured, so never sent).
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.Notification")]
public sealed record Notification(
    string Id,
    DateTimeOffset At,
    string HazardId,
    NotificationKind Kind,
    RecipientRole Role,
    string RecipientName,
    string? Phone,
    string Message,
    NoticeDelivery? Delivery = null);

/// <summary>The enterprise's people a hazard's notices go to, as its profile names them at the time.</summary>
[GenerateSerializer, Immutable, Alias("hg.Addressees")]
public sealed record Addressees(Enterprises.Person Principal, Enterprises.Person ActualController);
