using System.Collections.Immutable;

namespace HazardGrid.Notifications;

public enum NotificationKind
{
    /// <summary>A new major hazard was registered at the enterprise (001 item 5).</summary>
    NewMajorHazard = 1,

    /// <summary>A rung of the escalation ladder fired (letter, circular, summons, exposure, investigation).</summary>
    Escalation = 2,
}

public enum RecipientRole
{
    Principal = 1,
    ActualController = 2,
    SafetyDirector = 3,

    /// <summary>The office supervising the hazard at its listed level.</summary>
    SupervisingOffice = 4,
}

/// <summary>
/// A notification record: who must be told what, about which hazard. <see cref="Id"/> is
/// deterministic (hazard, kind, role) so recording it twice is harmless.
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
    string Message);

/// <summary>The notifications addressed to one enterprise's responsible people, keyed by its credit code.</summary>
[Alias("hg.INotificationLogGrain")]
public interface INotificationLogGrain : IGrainWithStringKey
{
    /// <summary>Records notifications; ones already recorded (same id) are skipped.</summary>
    [Alias("Record")]
    Task Record(ImmutableArray<Notification> notifications);

    [Alias("List")]
    Task<ImmutableArray<Notification>> List();
}
