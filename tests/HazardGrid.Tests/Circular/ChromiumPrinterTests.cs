using System.Diagnostics;
using Grpc.Core;
using HazardGrid.Gateway.Circulars;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace HazardGrid.Tests.Circular;

/// <summary>
/// The printer behind the circular's PDF, against Debian's Chromium: one browser kept between
/// prints (starting one is most of a print's time), replaced when it died, killed when it hangs,
/// closed when idle.
/// </summary>
public sealed class ChromiumPrinterTests
{
    private const string Chromium = "/usr/bin/chromium";

    private static string Document(string title) =>
        $"<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><style>@page {{ size: A4; margin: 15mm; }}</style></head><body><h1>{title}</h1><p>重大事故隐患排查整治情况通报</p></body></html>";

    private static ChromiumPrinter Printer(TimeSpan? timeout = null, TimeSpan? keep = null)
    {
        Assert.True(File.Exists(Chromium), $"the printer tests need Chromium at {Chromium} (./test.sh installs Debian's chromium)");
        return new ChromiumPrinter(Options.Create(new CircularOptions
        {
            ChromiumPath = Chromium,
            PdfTimeout = timeout ?? TimeSpan.FromSeconds(60),
            KeepBrowserFor = keep ?? TimeSpan.FromMinutes(5),
        }), NullLogger<ChromiumPrinter>.Instance);
    }

    private static void AssertPdf(byte[] pdf)
    {
        Assert.Equal("%PDF"u8.ToArray(), pdf[..4]);
        Assert.True(pdf.Length > 5_000, $"a PDF of {pdf.Length} bytes is too small to hold a page of Chinese");
    }

    [Fact]
    public async Task Every_document_is_printed_in_one_kept_browser()
    {
        await using var printer = Printer();
        Assert.Null(printer.BrowserProcessId);
        AssertPdf(await printer.PrintAsync(Document("一"), CancellationToken.None));
        var browser = printer.BrowserProcessId;
        Assert.NotNull(browser);

        // More at once than may print at once (2): they wait their turn, each in a tab of the same browser.
        var pdfs = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => printer.PrintAsync(Document($"第{i}号"), CancellationToken.None)));
        Assert.All(pdfs, AssertPdf);
        Assert.Equal(browser, printer.BrowserProcessId);
    }

    [Fact]
    public async Task Preparing_starts_one_browser_ahead_that_the_next_print_uses()
    {
        await using var printer = Printer();
        printer.Prepare(CircularHtml.WarmUpPage);
        printer.Prepare(CircularHtml.WarmUpPage); // a second page opened meanwhile: still one browser
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (printer.BrowserProcessId is null)
        {
            await Task.Delay(50, limit.Token);
        }

        var prepared = printer.BrowserProcessId;
        AssertPdf(await printer.PrintAsync(Document("一"), CancellationToken.None));
        Assert.Equal(prepared, printer.BrowserProcessId);
        printer.Prepare(CircularHtml.WarmUpPage); // running already: nothing to do
        Assert.Equal(prepared, printer.BrowserProcessId);
    }

    [Fact]
    public async Task A_browser_that_died_is_replaced_at_the_next_print()
    {
        await using var printer = Printer();
        AssertPdf(await printer.PrintAsync(Document("一"), CancellationToken.None));
        using (var browser = Process.GetProcessById(printer.BrowserProcessId!.Value))
        {
            browser.Kill(entireProcessTree: true);
            await browser.WaitForExitAsync();
        }

        AssertPdf(await printer.PrintAsync(Document("二"), CancellationToken.None));
        Assert.NotNull(printer.BrowserProcessId);
    }

    [Fact]
    public async Task A_print_that_hangs_is_cut_off_and_the_next_one_gets_a_new_browser()
    {
        // Long enough for a cold print on a loaded two-core machine (5 s once was not).
        await using var printer = Printer(timeout: TimeSpan.FromSeconds(15));
        AssertPdf(await printer.PrintAsync(Document("一"), CancellationToken.None));
        var hung = printer.BrowserProcessId!.Value;

        // A page whose script never ends keeps the renderer from ever printing. (A circular
        // carries no script; this only stands for a browser that stopped answering.)
        var clock = Stopwatch.StartNew();
        var refused = await Assert.ThrowsAsync<RpcException>(() => printer.PrintAsync("<html><body><script>for (;;) {}</script></body></html>", CancellationToken.None));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("download it as HTML", refused.Status.Detail);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(14), TimeSpan.FromSeconds(60));
        Assert.Null(printer.BrowserProcessId);
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(hung)); // killed, not left behind

        AssertPdf(await printer.PrintAsync(Document("二"), CancellationToken.None));
        Assert.NotEqual(hung, printer.BrowserProcessId);
    }

    [Fact]
    public async Task An_idle_browser_is_closed()
    {
        await using var printer = Printer(keep: TimeSpan.FromSeconds(1));
        AssertPdf(await printer.PrintAsync(Document("一"), CancellationToken.None));
        var browser = printer.BrowserProcessId!.Value;
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (printer.BrowserProcessId is not null || Running(browser))
        {
            await Task.Delay(100, limit.Token);
        }

        // And the next print starts one again.
        AssertPdf(await printer.PrintAsync(Document("二"), CancellationToken.None));
    }

    private static bool Running(int id)
    {
        try
        {
            using var process = Process.GetProcessById(id);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
