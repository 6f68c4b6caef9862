using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Regions;
using HazardGrid.Rollups;
using Orleans.Concurrency;

namespace HazardGrid.Queries;

/// <summary>
/// Serves hazard lists (see <see cref="IHazardListGrain"/>). A town or county list asks its city's
/// index with the region as a code prefix; a city list asks its index; a province list merges the
/// 16 cities' pages (<see cref="KWayMerge"/>); an enterprise's list asks the index of the
/// enterprise's city. The first page fixes the listing's snapshot of every index it reads and the
/// domain time overdue is judged at; the position handed back carries both to the next page.
/// </summary>
[StatelessWorker]
public sealed class HazardListGrain(RegionCatalog regions, DomainClock clock) : Grain, IHazardListGrain
{
    public async Task<HazardListPage> List(HazardListRequest request)
    {
        var position = request.Position;
        if (position is not null && DateTimeOffset.UtcNow - position.StartedAt > HazardIndexGrain.Lifetime)
        {
            throw DomainException.Precondition("page_token", $"the listing started more than {HazardIndexGrain.Lifetime.TotalMinutes:F0} minutes ago and its snapshot is gone: start again without a page_token");
        }

        var (scope, cities) = await Where(request.Scope, position);
        var asOf = position?.AsOf ?? clock.Now;
        var snapshots = new IndexSnapshot?[cities.Count];
        var totals = new int[cities.Count];
        for (var i = 0; i < cities.Count; i++)
        {
            snapshots[i] = position?.Snapshots.FirstOrDefault(s => s.CityCode == cities[i]);
            if (position is not null && snapshots[i] is null)
            {
                throw DomainException.Invalid("page_token", "was issued for another list: send the same parent, filter and order_by as the first page");
            }
        }

        var sources = cities.Select((city, i) => (PageSource<HazardFacts, HazardCursor>)(async (after, limit) =>
        {
            var page = await GrainFactory.Reference<IHazardIndexGrain>(city).List(
                new HazardIndexQuery(scope, request.Filter, request.Order, asOf, snapshots[i], after, limit, position is null && snapshots[i] is null));
            if (snapshots[i] is null)
            {
                snapshots[i] = page.Snapshot;
                totals[i] = page.Total;
            }

            return (page.Hazards, page.More);
        })).ToList();

        var (hazards, more) = await KWayMerge.Take(sources, position?.After, request.PageSize, h => HazardSortKey.CursorOf(h, request.Order), Comparer<HazardCursor>.Default);
        var total = position?.Total ?? totals.Sum();
        var next = more && hazards.Length > 0
            ? new HazardListPosition(position?.StartedAt ?? DateTimeOffset.UtcNow, asOf, [.. snapshots.OfType<IndexSnapshot>()], HazardSortKey.CursorOf(hazards[^1], request.Order), total)
            : null;
        return new HazardListPage(hazards, next, total);
    }

    /// <summary>What the indexes filter on, and which cities' indexes hold the list.</summary>
    private async Task<(HazardListScope Scope, IReadOnlyList<string> Cities)> Where(HazardListScope scope, HazardListPosition? position)
    {
        if (scope.CreditCode is { } code)
        {
            if (position is not null)
            {
                return (scope, [.. position.Snapshots.Select(s => s.CityCode)]);
            }

            Enterprise enterprise;
            try
            {
                enterprise = await GrainFactory.Reference<IEnterpriseGrain>(code).Get();
            }
            catch (DomainException refused) when (refused.Kind == DomainErrorKind.NotFound)
            {
                throw DomainException.NotFound("parent", refused.Reason);
            }

            return (scope, [enterprise.Profile.TownCode[..4]]);
        }

        var region = regions.Get(scope.RegionCode!);
        return region.Level switch
        {
            RegionLevel.Province => (new HazardListScope(null, null), regions.ChildrenOf(region.Code)),
            RegionLevel.City => (new HazardListScope(null, null), [region.Code]),
            _ => (scope, [region.Code[..4]]),
        };
    }
}
