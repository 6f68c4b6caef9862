using System.Collections.Immutable;
using Orleans.CodeGeneration;
using Orleans.Concurrency;
using HazardGrid.Escalations;
using HazardGrid.Regions;

namespace HazardGrid.Rollups;

/// <summary>
/// A region's live status: its figures over every hazard under it, as of <see cref="AsOf"/>, and
/// whether its overdue share has crossed the policy's threshold, which puts the region's own
/// leadership up for summons until it falls back.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.RegionStatus")]
public sealed record RegionStatus(Region Region, HazardFigures Figures, DateTimeOffset AsOf, bool LeadershipSummons, ImmutableArray<DirectReport> DirectReports);

/// <summary>An enterprise on a region's watch list, and why.</summary>
[GenerateSerializer, Immutable, Alias("hg.WatchListEntry")]
public sealed record WatchListEntry(string CreditCode, string TownCode, bool Exposed, int OverdueHazards, int FatalAccidentsThisYear = 0);

/// <summary>A ladder step that fired on a hazard in the region.</summary>
[GenerateSerializer, Immutable, Alias("hg.RegionEscalationEvent")]
public sealed record RegionEscalationEvent(string HazardId, string TownCode, EscalationStep Step, DateTimeOffset DueAt, DateTimeOffset FiredAt, string Trigger);

/// <summary>A child region's figures as its parent holds them; <see cref="Sequence"/> orders reports from one child.</summary>
[GenerateSerializer, Immutable, Alias("hg.ChildFigures")]
public sealed record ChildFigures(string Code, HazardFigures Figures, long Sequence);

/// <summary>
/// One region of the division tree, keyed by its division code (37, 3704, 370406, 370406001).
/// A town keeps the facts of every hazard in it, durably; a county, city or the province keeps
/// its children's latest figures in memory and rebuilds them from its children on activation.
/// Changes travel upward in batches, so no write ever waits on the province.
/// <para>Version 1: the apply methods interleave. Whether a call interleaves is decided by the
/// caller's build, so during a rolling upgrade a new caller could interleave calls into an old
/// town, whose ledger writes are not safe to overlap. With Orleans' default backward-compatible
/// versioning, version-1 calls reach only version-1 activations (an old one is deactivated and
/// the call placed on a new silo); old callers' calls still run anywhere.</para>
/// </summary>
[Alias("hg.IRegionGrain"), Version(1)]
public interface IRegionGrain : IGrainWithStringKey
{
    /// <summary>Interleaves with writes: it reads memory only, so a supervisor's query never waits
    /// behind the town's ledger write.</summary>
    [Alias("GetStatus"), AlwaysInterleave]
    Task<RegionStatus> GetStatus();

    /// <summary>Towns only: records a fatal accident at an enterprise of the town, durably; repeats are ignored.
    /// Interleaves like <see cref="ApplyHazardFacts"/>, joining the same shared ledger writes.</summary>
    [Alias("ApplyFatalAccident"), AlwaysInterleave]
    Task ApplyFatalAccident(FatalAccident accident);

    /// <summary>The province only: takes a direct report (直报), ahead of the batched figures.</summary>
    [Alias("ReceiveDirectReport"), OneWay]
    Task ReceiveDirectReport(DirectReport report);

    /// <summary>Towns only: takes hazards' latest facts, durably, before returning. Facts no newer
    /// than those already held are ignored, so repeating a call is harmless. Interleaves so that
    /// calls arriving while the town's ledger is being written share the next write (group commit)
    /// instead of queueing for a write each; the town orders the writes itself.</summary>
    [Alias("ApplyHazardFacts"), AlwaysInterleave]
    Task ApplyHazardFacts(ImmutableArray<HazardFacts> facts);

    /// <summary>A child pushes its figures up; stale sequences are ignored.</summary>
    [Alias("ReportChildFigures"), AlwaysInterleave]
    Task ReportChildFigures(ChildFigures figures);

    /// <summary>A parent pulls this region's figures (on activation and for reconciliation).</summary>
    [Alias("GetFiguresForParent"), AlwaysInterleave]
    Task<ChildFigures> GetFiguresForParent();

    /// <summary>The enterprises on the watch list of this region (every town under it).</summary>
    [Alias("GetWatchList"), AlwaysInterleave]
    Task<ImmutableArray<WatchListEntry>> GetWatchList();

    /// <summary>Every ladder step fired on hazards under this region, newest first.</summary>
    [Alias("GetEscalationEvents"), AlwaysInterleave]
    Task<ImmutableArray<RegionEscalationEvent>> GetEscalationEvents();
}
