using System.Collections.Immutable;
using HazardGrid.Escalations;
using HazardGrid.Regions;

namespace HazardGrid.Rollups;

/// <summary>
/// A region's live status: its figures over every hazard under it, as of <see cref="AsOf"/>, and
/// whether its overdue share has crossed the policy's threshold, which puts the region's own
/// leadership up for summons until it falls back. <see cref="ByScope"/> holds the same figures
/// counted over each configured sector office's sectors (see <see cref="Sectors.SectorOffices"/>),
/// from which a sector credential's status is made (<see cref="Sectors.SectorStatus"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.RegionStatus")]
public sealed record RegionStatus(
    Region Region,
    HazardFigures Figures,
    DateTimeOffset AsOf,
    bool LeadershipSummons,
    ImmutableArray<DirectReport> DirectReports,
    Common.EquatableArray<Sectors.SectorScopeFigures> ByScope = default)
{
    /// <summary>Whether a watcher shown <paramref name="before"/> must be shown this status (the
    /// instant alone moving on is no change).</summary>
    public bool DiffersFrom(RegionStatus? before) =>
        before is null || Figures != before.Figures || LeadershipSummons != before.LeadershipSummons || ByScope != before.ByScope
        || !DirectReports.Select(r => r.Id).SequenceEqual(before.DirectReports.Select(r => r.Id));
}

/// <summary>An enterprise on a region's watch list, and why.</summary>
[GenerateSerializer, Immutable, Alias("hg.WatchListEntry")]
public sealed record WatchListEntry(string CreditCode, string TownCode, bool Exposed, int OverdueHazards, int FatalAccidentsThisYear = 0);

/// <summary>A ladder step that fired on a hazard in the region.</summary>
[GenerateSerializer, Immutable, Alias("hg.RegionEscalationEvent")]
public sealed record RegionEscalationEvent(string HazardId, string TownCode, EscalationStep Step, DateTimeOffset DueAt, DateTimeOffset FiredAt, string Trigger);

/// <summary>A child region's figures as its parent holds them; <see cref="Sequence"/> orders reports from one child.
/// <see cref="ByScope"/> (appended later) holds the child's figures per sector scope.</summary>
[GenerateSerializer, Immutable, Alias("hg.ChildFigures")]
public sealed record ChildFigures(string Code, HazardFigures Figures, long Sequence, Common.EquatableArray<Sectors.SectorScopeFigures> ByScope = default);
