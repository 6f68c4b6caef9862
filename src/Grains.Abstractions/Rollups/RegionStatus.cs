using System.Collections.Immutable;
using HazardGrid.Escalations;
using HazardGrid.Regions;

namespace HazardGrid.Rollups;

/// <summary>
/// A region's live status: its figures over every hazard under it, as of <see cref="AsOf"/>, and
/// whether its overdue share has crossed the policy's threshold, which puts the region's own
/// leadership up for summons until it falls back.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.RegionStatus")]
public sealed record RegionStatus([property: Id(0)] Region Region, [property: Id(1)] HazardFigures Figures, [property: Id(2)] DateTimeOffset AsOf, [property: Id(3)] bool LeadershipSummons, [property: Id(4)] ImmutableArray<DirectReport> DirectReports)
{
    /// <summary>Whether a watcher shown <paramref name="before"/> must be shown this status (the
    /// instant alone moving on is no change).</summary>
    public bool DiffersFrom(RegionStatus? before) =>
        before is null || Figures != before.Figures || LeadershipSummons != before.LeadershipSummons
        || !DirectReports.Select(r => r.Id).SequenceEqual(before.DirectReports.Select(r => r.Id));
}

/// <summary>An enterprise on a region's watch list, and why.</summary>
[GenerateSerializer, Immutable, Alias("hg.WatchListEntry")]
public sealed record WatchListEntry([property: Id(0)] string CreditCode, [property: Id(1)] string TownCode, [property: Id(2)] bool Exposed, [property: Id(3)] int OverdueHazards, [property: Id(4)] int FatalAccidentsThisYear = 0);

/// <summary>A ladder step that fired on a hazard in the region.</summary>
[GenerateSerializer, Immutable, Alias("hg.RegionEscalationEvent")]
public sealed record RegionEscalationEvent([property: Id(0)] string HazardId, [property: Id(1)] string TownCode, [property: Id(2)] EscalationStep Step, [property: Id(3)] DateTimeOffset DueAt, [property: Id(4)] DateTimeOffset FiredAt, [property: Id(5)] string Trigger);

/// <summary>A child region's figures as its parent holds them; <see cref="Sequence"/> orders reports from one child.</summary>
[GenerateSerializer, Immutable, Alias("hg.ChildFigures")]
public sealed record ChildFigures([property: Id(0)] string Code, [property: Id(1)] HazardFigures Figures, [property: Id(2)] long Sequence);
