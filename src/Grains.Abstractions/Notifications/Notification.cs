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
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.Notification")]
public sealed record Notification(
    [property: Id(0)] string Id,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string HazardId,
    [property: Id(3)] NotificationKind Kind,
    [property: Id(4)] RecipientRole Role,
    [property: Id(5)] string RecipientName,
    [property: Id(6)] string? Phone,
    [property: Id(7)] string Message);

/// <summary>The enterprise's people a hazard's notices go to, as its profile names them at the time.</summary>
[GenerateSerializer, Immutable, Alias("hg.Addressees")]
public sealed record Addressees([property: Id(0)] Enterprises.Person Principal, [property: Id(1)] Enterprises.Person ActualController);
