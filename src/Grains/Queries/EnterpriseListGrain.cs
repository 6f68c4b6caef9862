using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Regions;
using HazardGrid.Rollups;
using Orleans.Concurrency;

namespace HazardGrid.Queries;

/// <summary>
/// Serves enterprise lists (see <see cref="IEnterpriseListGrain"/>): the towns under the region
/// each hold their enterprise directory, so a list merges the towns' pages in credit-code order
/// (<see cref="KWayMerge"/>). A province list asks all 1,853 towns for a share of the page; a
/// town list asks one town.
/// </summary>
[StatelessWorker]
public sealed class EnterpriseListGrain(RegionCatalog regions) : Grain, IEnterpriseListGrain
{
    public async Task<EnterprisePage> List(string regionCode, EnterpriseFilter filter, string? after, int limit)
    {
        var sources = TownsUnder(regionCode)
            .Select(town => (PageSource<EnterpriseSummary, string>)(async (from, count) =>
            {
                var page = await GrainFactory.Reference<ITownGrain>(town).ListEnterprises(filter, from, count);
                return (page.Enterprises, page.More);
            }))
            .ToList();
        var (enterprises, more) = await KWayMerge.Take(sources, after, limit, e => e.CreditCode, StringComparer.Ordinal);
        return new EnterprisePage(enterprises, more);
    }

    private IEnumerable<string> TownsUnder(string code) =>
        regions.Get(code).Level == RegionLevel.Town ? [code] : regions.ChildrenOf(code).SelectMany(TownsUnder);
}
