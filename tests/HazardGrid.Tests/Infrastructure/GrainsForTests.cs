using HazardGrid.Rollups;

namespace HazardGrid.Tests.Infrastructure;

/// <summary>
/// The only places tests name the region grain interfaces: tests that reach past the gateway to a
/// town (its ledger, its status) or to a county, city or the province go through these, so a change
/// of interface is made here once.
/// </summary>
public static class GrainsForTests
{
    /// <summary>A town's grain: its ledger (ApplyHazardFacts, ApplyFatalAccident), watch list, events and status.</summary>
    public static ITownGrain Town(this IGrainFactory grains, string townCode) => grains.GetGrain<ITownGrain>(townCode);

    /// <summary>The town method that joins the ledger's pending batch, as <see cref="GrainCallCounter"/> counts it.</summary>
    public const string ApplyHazardFacts = nameof(ITownGrain.ApplyHazardFacts);

    /// <summary>A county's, a city's or the province's grain: the sum of its children.</summary>
    public static IRollupGrain Rollup(this IGrainFactory grains, string regionCode) => grains.GetGrain<IRollupGrain>(regionCode);
}
