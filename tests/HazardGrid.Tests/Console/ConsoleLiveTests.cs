using System.Diagnostics;
using HazardGrid.Api.V1;
using HazardGrid.Common;
using HazardGrid.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace HazardGrid.Tests.Console;

/// <summary>A county supervisor's open page follows the county live (the watch stream, no reload);
/// from the hazard's page the supervisor reads its trail and extends its deadline, and the API
/// holds the new deadline.</summary>
[Collection(SharedCluster.Name)]
public sealed class ConsoleLiveTests(ClusterFixture fixture, Chromium chromium) : IClassFixture<Chromium>
{
    private const string County = "370406";
    private const string Town = "370406001";

    [Fact]
    public async Task A_hazard_reported_through_grpc_shows_on_the_open_county_page_within_two_seconds_and_its_deadline_is_extended_from_its_page()
    {
        var user = await ConsoleSteps.NewAccount(fixture, County);
        var creditCode = await ConsoleSteps.RegisterEnterprise(fixture, Town);
        var page = await chromium.NewPage(fixture.JsonAddress);
        await ConsoleSteps.SignIn(page, user);
        await page.WaitForURLAsync($"**/#/regions/{County}");

        // The page is following the stream once it has drawn a status from it.
        var open = page.Locator("[data-figure=open]");
        await Expect(page.Locator("[data-testid=live]")).ToContainTextAsync("实时");
        await Expect(open).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+$"));
        var before = int.Parse(await open.TextContentAsync() ?? "", System.Globalization.CultureInfo.InvariantCulture);
        await page.EvaluateAsync("() => { window.sameDocument = true; }"); // gone if the page reloads

        var hazard = await ConsoleSteps.ReportHazard(fixture, creditCode, $"罐区 {Guid.NewGuid():N}"[..12]);
        var clock = Stopwatch.StartNew();
        await page.WaitForFunctionAsync(
            "before => Number(document.querySelector('[data-figure=open]').textContent) > before", before,
            new PageWaitForFunctionOptions { Timeout = 2_000 });
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the figure changed after {clock.Elapsed}");
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the page reloaded");
        var shown = int.Parse(await open.TextContentAsync() ?? "", System.Globalization.CultureInfo.InvariantCulture);
        var status = await new ApiDriver(fixture).Region(County);
        Assert.InRange(shown, before + 1, status.Figures.Open); // other tests of the shared cluster may add more
        await Screenshots.Save(page, "county");

        // Its county system starts the rectification with a deadline; the supervisor finds it in the list.
        var deadline = fixture.Now.AddDays(20);
        await new ApiDriver(fixture).Start(hazard.Name, deadline);
        await page.ClickAsync("[data-link=hazards]");
        await page.ClickAsync($"a[data-hazard='{hazard.Name}']");
        await page.WaitForURLAsync($"**/#/{hazard.Name}");
        var trail = page.Locator("[data-testid=trail]");
        await Expect(trail).ToContainTextAsync("登记");
        await Expect(trail).ToContainTextAsync("开始整改");
        await Expect(page.Locator("[data-field=state]")).ToHaveTextAsync("整改中");
        // The ladder's next rung: a warning letter, due at the deadline (nothing fired yet).
        await Expect(page.Locator("[data-testid=ladder]")).ToContainTextAsync("下一级：函告");
        await Screenshots.Save(page, "hazard");

        // A deadline earlier than the current one: the API refuses and the page shows its words.
        var extend = page.Locator("[data-testid=extend]");
        await extend.Locator("input[name=deadline]").FillAsync(ChinaDate(deadline.AddDays(-5)));
        await extend.Locator("textarea[name=reason]").FillAsync("设备到货延迟");
        await extend.Locator("button[type=submit]").ClickAsync();
        await Expect(page.Locator("[data-testid=extend-message]")).ToHaveClassAsync("error");
        await Expect(page.Locator("[data-testid=extend-message]")).Not.ToBeEmptyAsync();
        Assert.Equal(deadline.ToUnixTimeSeconds(), (await new ApiDriver(fixture).Get(hazard.Name)).Deadline.Seconds);

        // Thirty days later: accepted, recorded with the person as the actor, and the API holds it.
        var newDate = ChinaDate(deadline.AddDays(30));
        await extend.Locator("input[name=deadline]").FillAsync(newDate);
        await extend.Locator("button[type=submit]").ClickAsync();
        await Expect(page.Locator("[data-testid=saved]")).ToBeVisibleAsync();
        var extended = await new ApiDriver(fixture).Get(hazard.Name);
        Assert.Equal(DateTimeOffset.Parse($"{newDate}T23:59:59+08:00", System.Globalization.CultureInfo.InvariantCulture), extended.Deadline.ToDateTimeOffset());
        var entry = Assert.Single(extended.Trail, e => e.Action == TrailAction.DeadlineExtended);
        Assert.Equal(user.ToLowerInvariant(), entry.Actor);
        await Expect(trail).ToContainTextAsync("延长期限");

        // Raised to the city; then the county supervisor's second raise is the city's to decide, and
        // the page shows the API's refusal while the hazard stays at city level.
        var raise = page.Locator("[data-testid=raise]");
        await raise.Locator("textarea[name=reason]").FillAsync("逾期风险高，提请市级督办");
        await raise.Locator("button[type=submit]").ClickAsync();
        await Expect(page.Locator("[data-field=level]")).ToHaveTextAsync("市级");
        Assert.Equal(SupervisionLevel.City, (await new ApiDriver(fixture).Get(hazard.Name)).SupervisionLevel);
        await raise.Locator("textarea[name=reason]").FillAsync("再次提级");
        await raise.Locator("button[type=submit]").ClickAsync();
        await Expect(page.Locator("[data-testid=raise-message]")).ToHaveClassAsync("error");
        await Expect(page.Locator("[data-testid=raise-message]")).Not.ToBeEmptyAsync();
        Assert.Equal(SupervisionLevel.City, (await new ApiDriver(fixture).Get(hazard.Name)).SupervisionLevel);
        await Screenshots.Save(page, "hazard-decisions");
        Assert.Empty(chromium.PageErrors);
    }

    private static string ChinaDate(DateTimeOffset time) => time.ToOffset(ChinaTime.Offset).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
