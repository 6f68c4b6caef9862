using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace HazardGrid.Tests.Console;

/// <summary>A province supervisor in real headless Chromium against a real cluster and gateway:
/// signs in, walks the division tree from the province to a town (tree and ranking links), and
/// switches the console to English and back.</summary>
[Collection(SharedCluster.Name)]
public sealed class ConsoleNavigationTests(ClusterFixture fixture, Chromium chromium) : IClassFixture<Chromium>
{

    private async Task<string> DisplayName(string code) =>
        (await fixture.Regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = $"regions/{code}" })).DisplayName;

    /// <summary>ECharts is a megabyte of script: the live figures must not wait for it. The test
    /// holds the script back until the figures are on the page, then lets it through.</summary>
    [Fact]
    public async Task A_region_page_draws_its_figures_before_the_charts_library_arrives()
    {
        var user = await ConsoleSteps.NewAccount(fixture, "3704");
        var page = await chromium.NewPage(fixture.JsonAddress);
        var figuresShown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var chartsAsked = 0;
        await page.RouteAsync("**/console/lib/echarts/echarts.min.js", async route =>
        {
            Interlocked.Increment(ref chartsAsked);
            await figuresShown.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await route.ContinueAsync();
        });

        await ConsoleSteps.SignIn(page, user);
        await page.WaitForURLAsync("**/console/#/regions/3704");
        await Expect(page.Locator("[data-figure=open]")).Not.ToBeEmptyAsync();
        await Expect(page.Locator("[data-testid=live]")).Not.ToBeEmptyAsync();
        await Expect(page.Locator("[data-testid=ranking]")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("[data-chart] canvas").CountAsync());

        figuresShown.SetResult();
        await Expect(page.Locator("[data-chart=trend] canvas")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-chart=sector] canvas")).ToBeVisibleAsync();
        Assert.Equal(1, chartsAsked); // once per tab, however many charts
    }

    [Fact]
    public async Task A_province_supervisor_signs_in_and_walks_from_the_province_to_a_town()
    {
        var user = await ConsoleSteps.NewAccount(fixture, TestTokens.Province);
        var page = await chromium.NewPage(fixture.JsonAddress);

        await ConsoleSteps.SignIn(page, user);

        // Signed in, the console opens on the account's own region: the province.
        await page.WaitForURLAsync("**/console/#/regions/37");
        var heading = page.Locator("[data-testid=region-name]");
        await Expect(heading).ToHaveTextAsync(await DisplayName("37"));
        await Expect(page.Locator("[data-testid=ranking] a[data-child='3704']")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=campaign]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=direct-reports]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-chart=trend] canvas")).ToBeVisibleAsync();
        await Screenshots.Save(page, "province");

        // The tree: open the province, then Zaozhuang, and follow the city's link.
        await page.GotoAsync("/console/#/tree");
        await page.ClickAsync("[data-expand='37']");
        var city = page.Locator("li[data-region='3704']");
        await Expect(city).ToBeVisibleAsync();
        await city.Locator("[data-expand='3704']").ClickAsync();
        await Expect(page.Locator("li[data-region='370406']")).ToBeVisibleAsync();
        await Screenshots.Save(page, "tree");
        await city.Locator("> .node a").ClickAsync();
        await page.WaitForURLAsync("**/#/regions/3704");
        await Expect(heading).ToHaveTextAsync(await DisplayName("3704"));

        // From the city's ranking of its counties to Shanting, then to one of its towns.
        await page.ClickAsync("[data-testid=ranking] a[data-child='370406']");
        await Expect(heading).ToHaveTextAsync(await DisplayName("370406"));
        await page.ClickAsync("[data-testid=ranking] a[data-child='370406001']");
        await page.WaitForURLAsync("**/#/regions/370406001");
        await Expect(heading).ToHaveTextAsync(await DisplayName("370406001"));
        await Expect(page.Locator("[data-crumb='370406']")).ToBeVisibleAsync();
        await Screenshots.Save(page, "town");

        // The town's monthly circular: its figures on the page, and the CSV downloaded from it is
        // the export's bytes (UTF-8 with a byte-order mark, so Excel reads the Chinese).
        await page.ClickAsync("[data-link=circular]");
        await Expect(page.Locator("[data-testid=circular-figures]")).ToBeVisibleAsync();
        Assert.DoesNotContain("null", await page.Locator("[data-testid=circular]").InnerTextAsync(), StringComparison.Ordinal);
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("[data-download=csv]"));
        var csv = await File.ReadAllBytesAsync(await download.PathAsync());
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, csv[..3]);
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        await Screenshots.Save(page, "circular");

        // English on request, kept across pages, and back to Chinese.
        await page.GotoAsync("/console/#/regions/370406");
        await page.ClickAsync("#lang");
        await Expect(page.Locator("[data-link=hazards]")).ToHaveTextAsync("Hazard list");
        await page.ReloadAsync();
        await Expect(page.Locator("[data-link=hazards]")).ToHaveTextAsync("Hazard list");
        await page.ClickAsync("#lang");
        await Expect(page.Locator("[data-link=hazards]")).ToHaveTextAsync("隐患清单");
        Assert.Empty(chromium.PageErrors);
    }
}
