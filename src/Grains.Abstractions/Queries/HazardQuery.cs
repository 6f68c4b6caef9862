using System.Collections.Immutable;
using HazardGrid.Enterprises;
using HazardGrid.Escalations;
using HazardGrid.Hazards;
using HazardGrid.Rollups;

namespace HazardGrid.Queries;

/// <summary>The orders a hazard list can take; each ends with the hazard id as the tie-breaker.</summary>
public enum HazardOrder
{
    Name = 1,
    Deadline = 2,
    FoundTime = 3,
}

/// <summary>
/// Which hazards a supervisor's list holds. Empty arrays and nulls match everything; a hazard
/// matches when it passes every filter that is set (any of a set's values).
/// <see cref="ClosedWithin"/> keeps a closed hazard only when it closed that recently (other states pass).
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.HazardFilter")]
public sealed record HazardFilter(
    ImmutableArray<HazardStatus> Statuses,
    ImmutableArray<Sector> Sectors,
    ImmutableArray<ReportChannel> Channels,
    ImmutableArray<SupervisionLevel> Levels,
    bool? Overdue,
    bool? Stock,
    DateTimeOffset? FoundFrom,
    DateTimeOffset? FoundBefore,
    DateTimeOffset? DeadlineFrom,
    DateTimeOffset? DeadlineBefore,
    EscalationStep? MinStep,
    TimeSpan? ClosedWithin = null)
{
    // ClosedWithin came later (the public disclosure feed): appended with a default, because a
    // positional record's members are its serialized ids.
    public static HazardFilter All { get; } = new([], [], [], [], null, null, null, null, null, null, null);

    /// <summary>Whether <paramref name="h"/> passes; overdue is judged at <paramref name="now"/>.</summary>
    public bool Matches(HazardFacts h, DateTimeOffset now) =>
        (Statuses.IsDefaultOrEmpty || Statuses.Contains(h.Status))
        && (Sectors.IsDefaultOrEmpty || Sectors.Contains(h.Sector))
        && (Channels.IsDefaultOrEmpty || (!h.Channels.IsDefaultOrEmpty && h.Channels.Any(Channels.Contains)))
        && (Levels.IsDefaultOrEmpty || Levels.Contains(h.Level))
        && (Overdue is not { } overdue || h.IsOverdueAt(now) == overdue)
        && (Stock is not { } stock || h.IsStock == stock)
        && (FoundFrom is not { } foundFrom || h.FoundAt >= foundFrom)
        && (FoundBefore is not { } foundBefore || h.FoundAt < foundBefore)
        && (DeadlineFrom is null || (h.Deadline is { } d1 && d1 >= DeadlineFrom))
        && (DeadlineBefore is null || (h.Deadline is { } d2 && d2 < DeadlineBefore))
        && (MinStep is not { } step || (!h.Escalations.IsDefaultOrEmpty && h.Escalations.Any(e => e.Step.Rank() >= step.Rank())))
        // Judged against the index's clock (now), not the caller's: "closed in the last N days" is domain time.
        && (ClosedWithin is not { } within || h.Status != HazardStatus.Closed || (h.ClosedAt is { } closed && closed >= now - within));
}

/// <summary>
/// A place in a hazard list's order: the hazard's sort key in that order (see
/// <see cref="HazardSortKey"/>) and its id, compared ordinally (the resource name's order).
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.HazardCursor")]
public sealed record HazardCursor(long Key, string HazardId) : IComparable<HazardCursor>
{
    public int CompareTo(HazardCursor? other) => other is null ? 1
        : Key != other.Key ? Key.CompareTo(other.Key)
        : string.CompareOrdinal(HazardId, other.HazardId);
}

public static class HazardSortKey
{
    /// <summary>The key of <paramref name="h"/> in <paramref name="order"/>: UTC ticks of the
    /// deadline (none sorts last) or of the found time; 0 for the name order.</summary>
    public static long Of(HazardFacts h, HazardOrder order) => order switch
    {
        HazardOrder.Deadline => h.Deadline?.UtcTicks ?? long.MaxValue,
        HazardOrder.FoundTime => h.FoundAt.UtcTicks,
        _ => 0,
    };

    public static HazardCursor CursorOf(HazardFacts h, HazardOrder order) => new(Of(h, order), h.HazardId);
}

/// <summary>One city index's state at the moment a listing started: which activation of the index
/// (a rebuilt index has another epoch) and how far its sequence of received facts had gone.</summary>
[GenerateSerializer, Immutable, Alias("hg.IndexSnapshot")]
public sealed record IndexSnapshot(string CityCode, long Epoch, long Sequence);

/// <summary>What a hazard list is of: a region (by division-code prefix) or one enterprise.</summary>
[GenerateSerializer, Immutable, Alias("hg.HazardListScope")]
public sealed record HazardListScope(string? RegionCode, string? CreditCode);

/// <summary>A page asked of one city's index: hazards of <paramref name="Scope"/> passing
/// <paramref name="Filter"/> as of <paramref name="Snapshot"/> (the index's current state when null),
/// after <paramref name="After"/> in <paramref name="Order"/>, at most <paramref name="Limit"/>.</summary>
[GenerateSerializer, Immutable, Alias("hg.HazardIndexQuery")]
public sealed record HazardIndexQuery(
    HazardListScope Scope,
    HazardFilter Filter,
    HazardOrder Order,
    DateTimeOffset AsOf,
    IndexSnapshot? Snapshot,
    HazardCursor? After,
    int Limit,
    bool CountTotal);

/// <summary>An index's answer: the hazards in order, whether more follow, the snapshot it read,
/// and (when asked) how many match in all.</summary>
[GenerateSerializer, Immutable, Alias("hg.HazardIndexPage")]
public sealed record HazardIndexPage(ImmutableArray<HazardFacts> Hazards, bool More, IndexSnapshot Snapshot, int Total);

/// <summary>Where a listing stands between pages; the gateway carries it in the page token.</summary>
[GenerateSerializer, Immutable, Alias("hg.HazardListPosition")]
public sealed record HazardListPosition(
    DateTimeOffset StartedAt,
    DateTimeOffset AsOf,
    ImmutableArray<IndexSnapshot> Snapshots,
    HazardCursor After,
    int Total);

/// <summary>A request for one page of a hazard list; <paramref name="Position"/> is null for the first page.</summary>
[GenerateSerializer, Immutable, Alias("hg.HazardListRequest")]
public sealed record HazardListRequest(HazardListScope Scope, HazardFilter Filter, HazardOrder Order, int PageSize, HazardListPosition? Position);

/// <summary>One page of a hazard list; <paramref name="Next"/> is null on the last page.</summary>
[GenerateSerializer, Immutable, Alias("hg.HazardListPage")]
public sealed record HazardListPage(ImmutableArray<HazardFacts> Hazards, HazardListPosition? Next, int Total);
