using Orleans.Concurrency;

namespace HazardGrid.Notifications;

/// <summary>
/// A town's notice outbox, keyed by the 9-digit town code: the hazards of the town that have
/// notices still to send. Only a list of hazard ids: the notices themselves, and their delivery
/// state, stay on each hazard. It exists so that sending resumes after a restart (a start-up task
/// wakes every town's outbox when delivery is configured) or after a hazard's activation was
/// collected. Used only when a delivery webhook is configured.
/// </summary>
[Alias("hg.INoticeOutboxGrain")]
public interface INoticeOutboxGrain : IGrainWithStringKey
{
    /// <summary>Lists a hazard with notices to send; durable before it returns.</summary>
    [Alias("Expect")]
    Task Expect(string hazardId);

    /// <summary>The hazard has nothing more to send (one-way: the outbox never waits on a hazard, nor a hazard on it here).</summary>
    [Alias("Settled"), OneWay]
    Task Settled(string hazardId);

    /// <summary>Wakes the listed hazards now and then every resume period, until none is left.</summary>
    [Alias("Wake")]
    Task Wake();
}
