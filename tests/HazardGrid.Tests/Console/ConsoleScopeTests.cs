using HazardGrid.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace HazardGrid.Tests.Console;

/// <summary>A county account typing another county's addresses: every page says "无权访问" and shows
/// nothing of what it refused (the server refuses with 403; the page keeps nothing of it).</summary>
[Collection(SharedCluster.Name)]
public sealed class ConsoleScopeTests(ClusterFixture fixture, Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task A_county_account_cannot_open_another_countys_page_or_hazard_by_url()
    {
        // A hazard in Shizhong district (370402), next to Shanting (370406) in the same city.
        var creditCode = await ConsoleSteps.RegisterEnterprise(fixture, "370402001");
        var hazard = await ConsoleSteps.ReportHazard(fixture, creditCode, "反应釜区");
        var user = await ConsoleSteps.NewAccount(fixture, "370406");
        var page = await chromium.NewPage(fixture.JsonAddress);
        await ConsoleSteps.SignIn(page, user);
        await page.WaitForURLAsync("**/#/regions/370406");
        await Expect(page.Locator("[data-testid=region-name]")).ToHaveTextAsync("山亭区");

        string[] refused =
        [
            "#/regions/370402", "#/regions/370402001", "#/regions/3704", "#/regions/37", "#/regions/370402/hazards",
            "#/regions/370402/watchList", "#/regions/370402/escalationEvents", "#/regions/370402/circular", $"#/{hazard.Name}",
        ];
        foreach (var address in refused)
        {
            await page.GotoAsync($"/console/{address}");
            var main = page.Locator("main");
            await Expect(main.Locator("[data-testid=forbidden]")).ToContainTextAsync("无权访问");
            // Nothing else in the page: no name, no figure, no table.
            await Expect(main.Locator("> *")).ToHaveCountAsync(1);
            var text = await main.InnerTextAsync();
            Assert.DoesNotContain("市中区", text, StringComparison.Ordinal);
            Assert.DoesNotContain("测试企业", text, StringComparison.Ordinal);
            Assert.DoesNotContain(creditCode, await page.ContentAsync(), StringComparison.Ordinal);
        }

        await Screenshots.Save(page, "not-allowed");

        // Its own county still opens.
        await page.GotoAsync("/console/#/regions/370406/hazards");
        await Expect(page.Locator("[data-testid=total]")).ToBeVisibleAsync();
        await page.GotoAsync("/console/#/regions/370406/watchList");
        await Expect(page.Locator("main h1")).ToHaveTextAsync("山亭区 · 重点关注名单");
        await page.GotoAsync("/console/#/regions/370406/escalationEvents");
        await Expect(page.Locator("main h1")).ToHaveTextAsync("山亭区 · 升级事件");
        Assert.Empty(chromium.PageErrors);
    }
}
