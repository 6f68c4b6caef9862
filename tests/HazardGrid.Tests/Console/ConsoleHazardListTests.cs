using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace HazardGrid.Tests.Console;

/// <summary>The hazard list in the browser is ListHazards: a filter chosen in the form and the
/// pages behind its page tokens show exactly the hazards the API lists for the same request.</summary>
[Collection(SharedCluster.Name)]
public sealed class ConsoleHazardListTests(ClusterFixture fixture, Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task A_filtered_list_pages_through_the_same_hazards_the_api_lists()
    {
        var town = TestData.TownsOf("370405", 3)[^1]; // a town of Tai'erzhuang no other console test uses
        var creditCode = await ConsoleSteps.RegisterEnterprise(fixture, town);
        var api = new ApiDriver(fixture);
        for (var i = 0; i < 4; i++)
        {
            var hazard = await ConsoleSteps.ReportHazard(fixture, creditCode, $"车间 {i}");
            if (i < 3)
            {
                await api.Start(hazard.Name, fixture.Now.AddDays(10 + i));
            }
        }

        var user = await ConsoleSteps.NewAccount(fixture, "370405");
        var page = await chromium.NewPage(fixture.JsonAddress);
        await ConsoleSteps.SignIn(page, user);
        await page.WaitForURLAsync("**/#/regions/370405");
        await page.GotoAsync($"/console/#/regions/{town}/hazards?pageSize=2");
        var filters = page.Locator("[data-testid=filters]");
        await filters.Locator("select[name=state]").SelectOptionAsync("HAZARD_STATE_RECTIFYING");
        await filters.Locator("select[name=orderBy]").SelectOptionAsync("HAZARD_ORDER_BY_DEADLINE");
        await filters.Locator("button[type=submit]").ClickAsync();
        await page.WaitForURLAsync("**state=HAZARD_STATE_RECTIFYING**");

        // What the API lists for the same filter, page by page.
        var request = new ListHazardsRequest { Parent = $"regions/{town}", PageSize = 2, OrderBy = HazardOrderBy.Deadline, Filter = new HazardFilter() };
        request.Filter.States.Add(HazardState.Rectifying);
        var expected = new List<string>();
        ListHazardsResponse answer;
        do
        {
            answer = await fixture.Hazards.ListHazardsAsync(request);
            expected.AddRange(answer.Hazards.Select(h => h.Name));
            request.PageToken = answer.NextPageToken;
        }
        while (answer.NextPageToken.Length > 0);
        Assert.True(expected.Count >= 3, string.Join(", ", expected));

        var shown = new List<string>();
        while (true)
        {
            var rows = page.Locator("[data-testid=hazards] a[data-hazard]");
            await Expect(rows.First).ToBeVisibleAsync();
            await Expect(page.Locator("[data-testid=total]")).ToContainTextAsync(expected.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var row in await rows.AllAsync())
            {
                shown.Add(await row.GetAttributeAsync("data-hazard") ?? "");
            }

            var next = page.Locator("a[data-link=next]");
            if (await next.CountAsync() == 0)
            {
                break;
            }

            await Screenshots.Save(page, "hazard-list");
            var href = await next.GetAttributeAsync("href") ?? "";
            await next.ClickAsync();
            await page.WaitForURLAsync(url => url.EndsWith(href, StringComparison.Ordinal));
            await Expect(page.Locator($"a[data-link=next][href='{href}']")).ToHaveCountAsync(0); // the next page drawn, not the last one still
        }

        Assert.Equal(expected, shown);
        Assert.Empty(chromium.PageErrors);
    }
}
