using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;

namespace HazardGrid.Tests.Queries;

/// <summary>Paging through the list methods to the end, over the fixture's real channel.</summary>
public static class Lists
{
    /// <summary>Every page of a hazard listing, following next_page_token; the pages in order.</summary>
    public static async Task<List<ListHazardsResponse>> HazardPages(ClusterFixture fixture, ListHazardsRequest first, Func<Task>? betweenPages = null)
    {
        var pages = new List<ListHazardsResponse>();
        var request = first.Clone();
        while (true)
        {
            var page = await fixture.Hazards.ListHazardsAsync(request);
            pages.Add(page);
            if (page.NextPageToken.Length == 0)
            {
                return pages;
            }

            if (betweenPages is not null)
            {
                await betweenPages();
            }

            request.PageToken = page.NextPageToken;
        }
    }

    public static async Task<List<Hazard>> AllHazards(ClusterFixture fixture, ListHazardsRequest first) =>
        [.. (await HazardPages(fixture, first)).SelectMany(p => p.Hazards)];

    public static async Task<List<Api.V1.EnterpriseSummary>> AllEnterprises(ClusterFixture fixture, ListEnterprisesRequest first)
    {
        var all = new List<Api.V1.EnterpriseSummary>();
        var request = first.Clone();
        while (true)
        {
            var page = await fixture.Enterprises.ListEnterprisesAsync(request);
            all.AddRange(page.Enterprises);
            if (page.NextPageToken.Length == 0)
            {
                return all;
            }

            request.PageToken = page.NextPageToken;
        }
    }
}
