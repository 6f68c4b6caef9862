using System.Net;
using System.Net.Sockets;
using HazardGrid.Gateway.Security;
using HazardGrid.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace HazardGrid.Tests.Console;

/// <summary>An open region page whose gateway goes away and comes back (a restart, a rolling
/// update): the page says it is reconnecting, follows the stream again once a gateway answers on
/// the same address, and shows the changes made meanwhile, all without a reload.</summary>
[Collection(SharedCluster.Name)]
public sealed class ConsoleReconnectTests(ClusterFixture fixture, Chromium chromium) : IClassFixture<Chromium>, IDisposable
{
    private const string County = "370481"; // Tengzhou, a county no other console test opens

    private readonly string _keys = Directory.CreateTempSubdirectory("hazardgrid-console-keys-").FullName;

    [Fact]
    public async Task The_county_page_reconnects_after_its_gateway_restarts_and_shows_what_changed_meanwhile()
    {
        var port = FreePort();
        // Both gateways share the session keys, as every gateway of a cluster must, so the cookie holds.
        var settings = new Dictionary<string, string?> { [$"{ConsoleOptions.Section}:KeysDirectory"] = _keys };
        void Listen(KestrelServerOptions k) => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http1);
        var first = await fixture.StartGatewayAsync(settings, Listen);
        WebApplication? second = null;
        try
        {
            var town = TestData.TownsOf(County, 1)[0];
            var creditCode = await ConsoleSteps.RegisterEnterprise(fixture, town);
            var user = await ConsoleSteps.NewAccount(fixture, County);
            var page = await chromium.NewPage(new Uri($"http://127.0.0.1:{port}"));
            await ConsoleSteps.SignIn(page, user);
            await page.WaitForURLAsync($"**/#/regions/{County}");
            var live = page.Locator("[data-testid=live]");
            await Expect(live).ToContainTextAsync("实时");
            var before = int.Parse(await page.Locator("[data-figure=open]").TextContentAsync() ?? "", System.Globalization.CultureInfo.InvariantCulture);
            await page.EvaluateAsync("() => { window.sameDocument = true; }");

            // Stopped without waiting for the open watch stream to end: its connection is cut.
            await first.StopAsync(new CancellationTokenSource(TimeSpan.FromMilliseconds(500)).Token);
            await first.DisposeAsync();
            await Expect(live).ToContainTextAsync("重连");

            await ConsoleSteps.ReportHazard(fixture, creditCode, "储罐区");
            second = await fixture.StartGatewayAsync(settings, Listen);

            // Retries back off to at most 10 s between attempts.
            await page.WaitForFunctionAsync(
                "before => Number(document.querySelector('[data-figure=open]').textContent) > before", before,
                new PageWaitForFunctionOptions { Timeout = 20_000 });
            await Expect(live).ToContainTextAsync("实时");
            Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the page reloaded");
            Assert.Empty(chromium.PageErrors);
        }
        finally
        {
            if (second is not null)
            {
                await second.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(1)).Token);
                await second.DisposeAsync();
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose() => Directory.Delete(_keys, recursive: true);
}
