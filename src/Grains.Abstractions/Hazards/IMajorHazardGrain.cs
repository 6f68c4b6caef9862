using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Notifications;
using Orleans.Concurrency;

namespace HazardGrid.Hazards;

/// <summary>
/// One major hazard record, keyed by <c>{credit code}/{number}</c>. Owns the lifecycle and the
/// audit trail, and calls no other grain: writes reach it through its enterprise, which then
/// hands the new facts to the rollups. Every write carries a <see cref="WriteRequest"/>: a
/// repeated request id returns the first result and changes nothing.
/// </summary>
[Alias("hg.IMajorHazardGrain")]
public interface IMajorHazardGrain : IGrainWithStringKey
{
    /// <summary>Called by the enterprise that allocated this record's number.</summary>
    [Alias("Register")]
    Task<MajorHazard> Register(HazardRegistration registration, WriteRequest request);

    /// <summary>Called by the enterprise when the same finding is reported again while open.</summary>
    [Alias("RecordRepeatReport")]
    Task<MajorHazard> RecordRepeatReport(HazardReport report, WriteRequest request);

    /// <summary>Applies one lifecycle change. Called by the enterprise, which forwards the result to the rollups.</summary>
    [Alias("Execute")]
    Task<MajorHazard> Execute(HazardCommand command, WriteRequest request);

    /// <summary>Applies updates in order, together or not at all: one write for all of them. Answers
    /// with the hazard as each update left it (a retried update with its first result).</summary>
    [Alias("ExecuteAll")]
    Task<ImmutableArray<MajorHazard>> ExecuteAll(ImmutableArray<HazardUpdate> updates);

    /// <summary>The hazard with its audit trail; NOT_FOUND if this number was never registered.</summary>
    [Alias("Get")]
    Task<HazardWithTrail> Get();

    /// <summary>The hazard without its trail, with the reports it answered (so its enterprise can
    /// rebuild its request index), or null if this number was never registered.</summary>
    [Alias("Find")]
    Task<HazardIndexEntry?> Find();

    /// <summary>The notification records this hazard produced (new hazard, ladder steps).</summary>
    [Alias("GetNotifications")]
    Task<ImmutableArray<Notification>> GetNotifications();

    // ---- Proof of notification (delivery of the notices through the outbound webhook) ----

    /// <summary>Sends this hazard's pending notices unless already under way. Called one-way by its
    /// town's notice outbox, after a restart or a lost activation.</summary>
    [Alias("ResumeNoticeDelivery"), OneWay]
    Task ResumeNoticeDelivery();

    /// <summary>Records webhook attempts' results. Called by the hazard itself, so the results are
    /// applied in turn with its other writes (the calls themselves run beside them).</summary>
    [Alias("RecordNoticeAttempts")]
    Task RecordNoticeAttempts(ImmutableArray<NoticeAttempt> attempts);

    /// <summary>Records a delivery gateway's receipt for one of this hazard's notices and answers the
    /// notice as it now stands. <paramref name="scope"/> (the caller's) must hold the hazard's town.</summary>
    [Alias("RecordNoticeReceipt")]
    Task<Notification> RecordNoticeReceipt(NoticeReceipt receipt, WriteScope? scope);
}

/// <summary>A report a hazard answered: its request id, what was reported, and whether it created the record.</summary>
[GenerateSerializer, Immutable, Alias("hg.AnsweredReport")]
public sealed record AnsweredReport(string RequestId, string Fingerprint, bool Created);

/// <summary>What an enterprise needs of each of its hazards when it activates.</summary>
[GenerateSerializer, Immutable, Alias("hg.HazardIndexEntry")]
public sealed record HazardIndexEntry(MajorHazard Hazard, ImmutableArray<AnsweredReport> Reports);
