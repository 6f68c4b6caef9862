using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Notifications;

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
}

/// <summary>A report a hazard answered: its request id, what was reported, and whether it created the record.</summary>
[GenerateSerializer, Immutable, Alias("hg.AnsweredReport")]
public sealed record AnsweredReport([property: Id(0)] string RequestId, [property: Id(1)] string Fingerprint, [property: Id(2)] bool Created);

/// <summary>What an enterprise needs of each of its hazards when it activates.</summary>
[GenerateSerializer, Immutable, Alias("hg.HazardIndexEntry")]
public sealed record HazardIndexEntry([property: Id(0)] MajorHazard Hazard, [property: Id(1)] ImmutableArray<AnsweredReport> Reports);
