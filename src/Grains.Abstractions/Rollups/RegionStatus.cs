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
public sealed record RegionStatus(Region Region, HazardFigures Figures, DateTimeOffset AsOf, bool LeadershipSummons, ImmutableArray<DirectReport> DirectReports)
{
    /// <summary>Whether a watcher shown <paramref name="before"/> must be shown this status (the
    /// instant alone moving on is no change).</summary>
    public bool DiffersFrom(RegionStatus? before) =>
        before is null || Figures != before.Figures || LeadershipSummons != before.LeadershipSummons
        || !DirectReports.Select(r => r.Id).SequenceEqual(before.DirectReports.Select(r => r.Id));
}

/// <summary>An enterprise on a region's watch list, and why.</summary>
[GenerateSerializer, Immutable, Alias("hg.WatchListEntry")]
public sealed record WatchListEntry(string CreditCode, string TownCode, bool Exposed, int OverdueHazards, int FatalAccidentsThisYear = 0);

/// <summary>A ladder step that fired on a hazard in the region.</summary>
[GenerateSerializer, Immutable, Alias("hg.RegionEscalationEvent")]
public sealed record RegionEscalationEvent(string HazardId, string TownCode, EscalationStep Step, DateTimeOffset DueAt, DateTimeOffset FiredAt, string Trigger);

/// <summary>A child region's figures as its parent holds them; <see cref="Sequence"/> orders reports from one child.</summary>
[GenerateSerializer, Immutable, Alias("hg.ChildFigures")]
public sealed record ChildFigures(string Code, HazardFigures Figures, long Sequence);
