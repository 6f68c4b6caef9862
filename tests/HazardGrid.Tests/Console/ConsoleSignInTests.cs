using System.Net;
using System.Text.RegularExpressions;
using HazardGrid.Gateway.Security;
using HazardGrid.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace HazardGrid.Tests.Console;

/// <summary>The console's door: no session, no console; a wrong password and a disabled account are
/// refused on the sign-in page; every console response carries the Content-Security-Policy and the
/// page runs no inline script.</summary>
[Collection(SharedCluster.Name)]
public sealed partial class ConsoleSignInTests(ClusterFixture fixture, Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task A_wrong_password_and_a_disabled_account_are_refused_and_get_no_console()
    {
        var user = await ConsoleSteps.NewAccount(fixture, "370406");
        var disabled = await ConsoleSteps.NewAccount(fixture, "370406", disabled: true);
        var page = await chromium.NewPage(fixture.JsonAddress);

        foreach (var (name, password) in new[] { (user, "not the password"), (disabled, ConsoleSteps.Password) })
        {
            await ConsoleSteps.SignIn(page, name, password);
            await Expect(page.Locator("[role=alert]")).ToHaveTextAsync(ConsoleSession.Refusal);
            Assert.EndsWith("/console/sign-in", page.Url, StringComparison.Ordinal);
            // Still no session: the console sends the browser back to the sign-in page.
            // (A redirect keeps the address's fragment: /console/sign-in#/regions/370406.)
            await page.GotoAsync("/console/#/regions/370406");
            await page.WaitForURLAsync(SignInPage());
            await Expect(page.Locator("input[name=password]")).ToBeVisibleAsync();
        }

        await Screenshots.Save(page, "sign-in-refused");

        // The right password lets the same browser in, on the bookmarked page it was sent away from.
        await page.GotoAsync("/console/#/regions/370406001");
        await page.WaitForURLAsync(SignInPage());
        await page.FillAsync("input[name=user_name]", user);
        await page.FillAsync("input[name=password]", ConsoleSteps.Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/console/#/regions/370406001");
        await Expect(page.Locator("[data-testid=region-name]")).ToHaveTextAsync("山城街道");
        Assert.Empty(chromium.PageErrors);
    }

    [Fact]
    public async Task Console_responses_carry_a_strict_content_security_policy_and_the_page_has_no_inline_script()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.JsonAddress };

        using var withoutSession = await http.GetAsync("/console/");
        Assert.Equal(HttpStatusCode.Redirect, withoutSession.StatusCode);
        Assert.Equal("/console/sign-in", withoutSession.Headers.Location?.OriginalString);

        var user = await ConsoleSteps.NewAccount(fixture, "370406");
        using var browser = new Accounts.ConsoleBrowser(fixture.JsonAddress);
        Assert.Equal(HttpStatusCode.OK, (await browser.SignIn(user, ConsoleSteps.Password)).Status);
        var index = await browser.Get("/console/");
        Assert.Equal(HttpStatusCode.OK, index.Status);
        Assert.Empty(InlineScript().Matches(index.Text));

        foreach (var path in new[] { "/console/sign-in", "/console/app.js", "/console/lib/echarts/echarts.min.js" })
        {
            using var response = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/console/../appsettings.json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/console/nothing-here.js")).StatusCode);
    }

    [GeneratedRegex("/console/sign-in(#.*)?$")]
    private static partial Regex SignInPage();

    // A <script> element without a src attribute.
    [GeneratedRegex("<script(?![^>]*\\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();
}
