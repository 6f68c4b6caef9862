using System.Collections.Immutable;
using HazardGrid.Rollups;
using Orleans.Concurrency;

namespace HazardGrid.Queries;

/// <summary>
/// A city's hazard index, keyed by the city's four-digit code: the latest facts of every hazard
/// counted in the city's towns, in memory, ordered for the supervisors' lists. Fed by the towns
/// after their ledger writes are stored (batched); rebuilt from the towns' stored ledgers when it
/// activates. It keeps the values a hazard had before a change for an hour, so a listing reads one
/// snapshot page after page while writes go on.
/// </summary>
[Alias("hg.IHazardIndexGrain")]
public interface IHazardIndexGrain : IGrainWithStringKey
{
    /// <summary>A town hands over facts its ledger stored; older versions than those held are ignored.
    /// Interleaves: it never waits, so a town is answered at once, also while the index rebuilds.</summary>
    [Alias("Apply"), AlwaysInterleave]
    Task Apply(ImmutableArray<HazardFacts> facts);

    /// <summary>One page of the city's hazards. Refuses a snapshot of another epoch (the index was rebuilt since).</summary>
    [Alias("List"), AlwaysInterleave]
    Task<HazardIndexPage> List(HazardIndexQuery query);
}

/// <summary>
/// Serves a hazard list (a stateless worker): asks the city indexes under the list's region,
/// merging the cities' pages for a province list, and carries the listing's snapshot from page to page.
/// </summary>
[Alias("hg.IHazardListGrain")]
public interface IHazardListGrain : IGrainWithIntegerKey
{
    [Alias("List")]
    Task<HazardListPage> List(HazardListRequest request);
}

/// <summary>
/// Serves a region's enterprise list (a stateless worker): merges the enterprise directories of
/// the towns under the region in credit-code order.
/// </summary>
[Alias("hg.IEnterpriseListGrain")]
public interface IEnterpriseListGrain : IGrainWithIntegerKey
{
    /// <summary>Up to <paramref name="limit"/> enterprises of the region after <paramref name="after"/> (null: from the start).</summary>
    [Alias("List")]
    Task<EnterprisePage> List(string regionCode, EnterpriseFilter filter, string? after, int limit);
}
