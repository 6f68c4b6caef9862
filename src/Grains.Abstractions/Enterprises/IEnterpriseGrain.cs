using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Escalations;
using Orleans.Concurrency;
using HazardGrid.Hazards;
using HazardGrid.Rollups;
using HazardGrid.Accidents;

namespace HazardGrid.Enterprises;

/// <summary>An enterprise as the system knows it now, with the figures of its own hazards.</summary>
[GenerateSerializer, Immutable, Alias("hg.Enterprise")]
public sealed record Enterprise(EnterpriseProfile Profile, HazardFigures Figures, DateTimeOffset RegisteredAt, DateTimeOffset UpdatedAt, ImmutableArray<FatalAccident> FatalAccidents);

/// <summary>The outcome of a hazard report: the hazard, and whether this report created it or
/// landed on a hazard already registered for the same finding.</summary>
[GenerateSerializer, Immutable, Alias("hg.HazardReportOutcome")]
public sealed record HazardReportOutcome(MajorHazard Hazard, bool Created);

/// <summary>
/// One enterprise, keyed by its Unified Social Credit Code. Owns the enterprise's profile, the
/// numbering of its major hazards and the index that keeps one finding from being registered
/// twice, and the figures of its hazards.
/// </summary>
[Alias("hg.IEnterpriseGrain")]
public interface IEnterpriseGrain : IGrainWithStringKey
{
    /// <summary>Registers the enterprise or updates its profile.</summary>
    [Alias("Register")]
    Task<Enterprise> Register(EnterpriseProfile profile, WriteRequest request);

    [Alias("Get")]
    Task<Enterprise> Get();

    /// <summary>The enterprise with its figures counted over the hazards of <paramref name="sectors"/>
    /// only: what a sector office is shown (its accidents stay: they happened at an enterprise of its sectors).</summary>
    [Alias("GetInSectors")]
    Task<Enterprise> GetInSectors(Sectors.SectorScope sectors);

    /// <summary>The notification records of all this enterprise's hazards, oldest first.</summary>
    [Alias("ListNotifications")]
    Task<ImmutableArray<Notifications.Notification>> ListNotifications();

    /// <summary>Registers a major hazard found at this enterprise, through any channel, once.</summary>
    [Alias("ReportHazard")]
    Task<HazardReportOutcome> ReportHazard(HazardReport report, WriteRequest request);

    /// <summary>
    /// Applies a lifecycle change to one of this enterprise's hazards. Every hazard write goes
    /// through its enterprise so that calls only ever travel downward (enterprise → hazard,
    /// enterprise → town) and no two grains can wait on each other.
    /// </summary>
    [Alias("UpdateHazard")]
    Task<MajorHazard> UpdateHazard(int hazardNumber, HazardCommand command, WriteRequest request);

    /// <summary>Applies several updates to one hazard together (see <see cref="IMajorHazardGrain.ExecuteAll"/>).</summary>
    [Alias("UpdateHazardTogether")]
    Task<ImmutableArray<MajorHazard>> UpdateHazardTogether(int hazardNumber, ImmutableArray<HazardUpdate> updates);

    /// <summary>Records a fatal accident, marks the enterprise and its town, and reports it to the
    /// province directly. A repeated request id returns the first result.</summary>
    [Alias("ReportFatalAccident")]
    Task<FatalAccident> ReportFatalAccident(FatalAccidentReport report, WriteRequest request);

    /// <summary>
    /// The ladder asks for <paramref name="step"/> of a hazard, due at <paramref name="dueAt"/>.
    /// One-way: the town that schedules the ladder must not wait on an enterprise that may be
    /// waiting on it. Idempotent: a step fires once, and only while it is still due.
    /// </summary>
    [Alias("Escalate"), OneWay]
    Task Escalate(int hazardNumber, EscalationStep step, DateTimeOffset dueAt);
}
