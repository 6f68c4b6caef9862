using System.Text.Json.Nodes;
using Grpc.Core;
using HazardGrid.Common;
using Microsoft.Extensions.Options;

namespace HazardGrid.Gateway.Circulars;

/// <summary>Where the service finds Chromium to print circulars to PDF (configuration section
/// <c>HazardGrid:Circulars</c>).</summary>
public sealed class CircularOptions
{
    public const string Section = "HazardGrid:Circulars";

    /// <summary>Debian's <c>chromium</c> package puts it here. Without it PDF is refused and HTML still works.</summary>
    public string ChromiumPath { get; set; } = "/usr/bin/chromium";

    /// <summary>How long one print may take before Chromium is killed: a province circular is a
    /// few hundred rows, printed in seconds; a hung browser must not hold the request for ever.</summary>
    public TimeSpan PdfTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How many Chromium processes may print at once: each takes a few hundred MB and a
    /// core, so a burst of PDF requests queues here rather than exhausting the machine.</summary>
    public int MaxConcurrentPrints { get; set; } = 2;

    /// <summary>How long the printing browser is kept after its last print: starting one takes
    /// seconds, an idle one holds a few hundred MB.</summary>
    public TimeSpan KeepBrowserFor { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Prints a circular's HTML to PDF with headless Chromium, which lays out Chinese with the
/// machine's Noto CJK fonts (no .NET PDF library served here does). One browser is kept between
/// prints (<see cref="HeadlessChromium"/>; starting it is most of a print's time) and closed after
/// <see cref="CircularOptions.KeepBrowserFor"/> without prints; each document gets its own tab.
/// A browser that died is replaced at the next print, and one that hangs is killed.
/// </summary>
public sealed class ChromiumPrinter : IAsyncDisposable
{
    private readonly IOptions<CircularOptions> _options;
    private readonly ILogger<ChromiumPrinter> _logger;
    private readonly SemaphoreSlim _printers;
    private readonly SemaphoreSlim _browserLock = new(1, 1);
    private readonly Timer _idle;
    private HeadlessChromium? _browser;
    private int _printing;
    private int _preparing;
    private bool _disposed;

    public ChromiumPrinter(IOptions<CircularOptions> options, ILogger<ChromiumPrinter> logger)
    {
        _options = options;
        _logger = logger;
        _printers = new SemaphoreSlim(Math.Max(1, options.Value.MaxConcurrentPrints));
        _idle = new Timer(_ => _ = CloseIdleBrowser());
    }

    public bool Available => File.Exists(_options.Value.ChromiumPath);

    /// <summary>The process id of the kept browser while there is one running (for diagnostics and tests).</summary>
    public int? BrowserProcessId => _browser is { Running: true } browser ? browser.ProcessId : null;

    /// <summary>Refuses PDF (FAILED_PRECONDITION on <c>format</c>) when there is no Chromium, saying what to do instead.</summary>
    public void EnsureAvailable()
    {
        if (!Available)
        {
            throw DomainException.Precondition(
                "format",
                $"PDF needs Chromium, which this service does not find at {_options.Value.ChromiumPath} (setting {CircularOptions.Section}:ChromiumPath); "
                + "download the circular as HTML (format=html) and print it from a browser instead");
        }
    }

    /// <summary>
    /// Starts the printing browser in the background when a print is likely soon (someone opened a
    /// circular's page, whose PDF link comes next) and prints <paramref name="warmUpPage"/> in it:
    /// a new browser's first page loads the Chinese fonts, most of a cold print's time. Does nothing
    /// without Chromium or with a browser already running.
    /// </summary>
    public void Prepare(string warmUpPage)
    {
        if (!Available || _browser is { Running: true } || Interlocked.Exchange(ref _preparing, 1) == 1)
        {
            return;
        }

        InBackground(() => PrintAsync(warmUpPage, CancellationToken.None), "Warming the printing browser up", () => Volatile.Write(ref _preparing, 0));
    }

    /// <summary>Starts the printing browser in the background, if none runs, while the caller
    /// prepares the document (reading a province's circular takes a few hundred ms).</summary>
    public void StartBrowser()
    {
        if (!Available || _browser is { Running: true })
        {
            return;
        }

        InBackground(() => Browser(CancellationToken.None), "Starting the printing browser early");
    }

    /// <summary>Work ahead of a print that nobody waits for: a failure is only logged, the print
    /// itself will start a browser and report what goes wrong.</summary>
    private void InBackground(Func<Task> work, string what, Action? then = null) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await work();
            }
            catch (Exception ex) when (ex is RpcException or OperationCanceledException || BrowserFailed(ex))
            {
                _logger.LogDebug(ex, "{What} failed; the next print starts a browser", what);
            }
            finally
            {
                then?.Invoke();
            }
        });

    /// <summary>Chromium failed, or could not be started or talked to.</summary>
    private static bool BrowserFailed(Exception ex) =>
        ex is ChromiumException or IOException or InvalidOperationException or System.ComponentModel.Win32Exception;

    public async Task<byte[]> PrintAsync(string html, CancellationToken cancellationToken)
    {
        EnsureAvailable();
        await _printers.WaitAsync(cancellationToken);
        Interlocked.Increment(ref _printing);
        HeadlessChromium? browser = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.Value.PdfTimeout);
            for (var attempt = 1; ; attempt++)
            {
                browser = await Browser(timeout.Token);
                try
                {
                    return await Print(browser, html, timeout.Token);
                }
                catch (ChromiumException ex) when (attempt == 1 && !browser.Running)
                {
                    // The kept browser died since its last print (killed, crashed): a new one prints it.
                    _logger.LogWarning(ex, "The printing Chromium had stopped; starting another. Its last words: {Errors}", browser.RecentErrors);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Hung: kill it, so that the next print starts a browser that answers.
            if (browser is not null)
            {
                await Discard(browser);
            }

            throw new RpcException(new Status(StatusCode.Unavailable, $"Chromium did not print the circular within {_options.Value.PdfTimeout.TotalSeconds:0} s; try again, or download it as HTML"));
        }
        catch (Exception ex) when (BrowserFailed(ex))
        {
            _logger.LogError(ex, "Chromium ({Chromium}) failed to print a circular: {Errors}", _options.Value.ChromiumPath, browser?.RecentErrors);
            throw new RpcException(new Status(StatusCode.Internal, "Chromium failed to print the circular; download it as HTML instead"));
        }
        finally
        {
            Interlocked.Decrement(ref _printing);
            _printers.Release();
            _idle.Change(_options.Value.KeepBrowserFor, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>One document in a tab of its own: written into a blank page (nothing is loaded
    /// from anywhere: the circular's HTML is self-contained), printed with its own A4 page rule.</summary>
    private static async Task<byte[]> Print(HeadlessChromium browser, string html, CancellationToken cancellationToken)
    {
        var target = (await browser.SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, null, cancellationToken)).GetProperty("targetId").GetString()!;
        try
        {
            var session = (await browser.SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target, ["flatten"] = true }, null, cancellationToken)).GetProperty("sessionId").GetString()!;
            var frame = (await browser.SendAsync("Page.getFrameTree", new JsonObject(), session, cancellationToken)).GetProperty("frameTree").GetProperty("frame").GetProperty("id").GetString()!;
            await browser.SendAsync("Page.setDocumentContent", new JsonObject { ["frameId"] = frame, ["html"] = html }, session, cancellationToken);
            var pdf = await browser.SendAsync("Page.printToPDF", new JsonObject { ["printBackground"] = true, ["preferCSSPageSize"] = true }, session, cancellationToken);
            return Convert.FromBase64String(pdf.GetProperty("data").GetString()!);
        }
        finally
        {
            if (browser.Running)
            {
                try
                {
                    await browser.SendAsync("Target.closeTarget", new JsonObject { ["targetId"] = target }, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
                }
                catch (Exception ex) when (ex is ChromiumException or TimeoutException)
                {
                    // A tab left open closes with its browser.
                }
            }
        }
    }

    private async Task<HeadlessChromium> Browser(CancellationToken cancellationToken)
    {
        if (_browser is { Running: true } running)
        {
            return running;
        }

        await _browserLock.WaitAsync(cancellationToken);
        try
        {
            if (_browser is { Running: true } started)
            {
                return started;
            }

            ObjectDisposedException.ThrowIf(_disposed, this); // shutting down: no new browser

            if (_browser is { } dead)
            {
                await dead.DisposeAsync();
            }

            _browser = await HeadlessChromium.StartAsync(_options.Value.ChromiumPath, _options.Value.PdfTimeout, cancellationToken);
            return _browser;
        }
        finally
        {
            _browserLock.Release();
        }
    }

    private async Task Discard(HeadlessChromium browser)
    {
        await _browserLock.WaitAsync();
        try
        {
            if (ReferenceEquals(_browser, browser))
            {
                _browser = null;
            }
        }
        finally
        {
            _browserLock.Release();
        }

        await browser.DisposeAsync();
    }

    private async Task CloseIdleBrowser()
    {
        await _browserLock.WaitAsync();
        try
        {
            // A print that started meanwhile re-arms the timer when it ends.
            if (Volatile.Read(ref _printing) == 0 && _browser is { } idle)
            {
                _browser = null;
                await idle.DisposeAsync();
            }
        }
        finally
        {
            _browserLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _idle.DisposeAsync();
        await _browserLock.WaitAsync();
        try
        {
            _disposed = true;
            if (_browser is { } browser)
            {
                _browser = null;
                await browser.DisposeAsync();
            }
        }
        finally
        {
            _browserLock.Release();
        }
    }
}
