using System.Collections.Immutable;
using HazardGrid.Accidents;
using HazardGrid.Queries;
using HazardGrid.Tips;
using Orleans.Concurrency;

namespace HazardGrid.Rollups;

/// <summary>
/// A town (乡镇/街道, or a functional zone), keyed by its nine-digit division code: where hazards
/// are counted. It keeps every hazard's latest facts and the fatal accidents of its enterprises
/// in a durable ledger, counts its figures from that ledger, schedules the escalation ladder of its
/// hazards, and reports its figures to its county.
/// <para>The apply methods interleave so that callers arriving while the ledger is being written
/// share the next write (group commit) instead of queueing for a write each; the town orders the
/// writes itself.</para>
/// </summary>
[Alias("hg.ITownGrain")]
public interface ITownGrain : IRegionGrain
{
    /// <summary>Takes hazards' latest facts, durably, before returning. Facts no newer than those
    /// already held are ignored, so repeating a call is harmless.</summary>
    [Alias("ApplyHazardFacts"), AlwaysInterleave]
    Task ApplyHazardFacts(ImmutableArray<HazardFacts> facts);

    /// <summary>Records a fatal accident at an enterprise of the town, durably; repeats are ignored.</summary>
    [Alias("ApplyFatalAccident"), AlwaysInterleave]
    Task ApplyFatalAccident(FatalAccident accident);

    /// <summary>Every hazard's facts as the ledger stored them: a city's hazard index rebuilds from these.</summary>
    [Alias("GetStoredHazardFacts"), AlwaysInterleave]
    Task<ImmutableArray<HazardFacts>> GetStoredHazardFacts();

    /// <summary>Records an enterprise of the town in its durable directory (or updates its entry),
    /// before returning; the enterprise calls it when it registers. Repeating it is harmless.</summary>
    [Alias("AnnounceEnterprise"), AlwaysInterleave]
    Task AnnounceEnterprise(DirectoryEntry enterprise);

    /// <summary>Removes an enterprise that moved to another town from the directory, durably.</summary>
    [Alias("ForgetEnterprise"), AlwaysInterleave]
    Task ForgetEnterprise(string creditCode);

    /// <summary>Up to <paramref name="limit"/> enterprises of the directory after <paramref name="after"/>
    /// in credit-code order, passing <paramref name="filter"/> (judged on the stored ledger now).</summary>
    [Alias("ListEnterprises"), AlwaysInterleave]
    Task<EnterprisePage> ListEnterprises(EnterpriseFilter filter, string? after, int limit);

    /// <summary>Takes rewarded tips' latest facts (no identity), durably, before returning; only
    /// newer versions replace older ones, so repeating a call is harmless.</summary>
    [Alias("ApplyTipFacts"), AlwaysInterleave]
    Task ApplyTipFacts(ImmutableArray<TipFacts> facts);

    /// <summary>Up to <paramref name="limit"/> of the town's tips after tip id <paramref name="after"/>
    /// (county, then number), from the stored ledger.</summary>
    [Alias("ListTips"), AlwaysInterleave]
    Task<TipPage> ListTips(string? after, int limit);
}
