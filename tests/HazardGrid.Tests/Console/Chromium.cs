using Microsoft.Playwright;
using Xunit;

namespace HazardGrid.Tests.Console;

/// <summary>
/// Headless Chromium for the console's browser tests, one per test class: Debian's
/// <c>/usr/bin/chromium</c> driven by Microsoft.Playwright (browsers cannot be downloaded here; the
/// Debian build matches Playwright 1.64's Chromium major). <c>./test.sh</c> installs it with
/// <c>fonts-noto-cjk</c>, without which Chinese renders as boxes in the screenshots.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    /// <summary>HAZARDGRID_CHROMIUM overrides the executable (another distribution's path).</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable("HAZARDGRID_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"the console tests need Chromium at {ExecutablePath}: apt-get install chromium fonts-noto-cjk (./test.sh does)");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ExecutablePath, Headless = true });
    }

    /// <summary>A fresh browser profile (its own cookie jar and storage) on the console's address,
    /// Chinese and China time as a supervisor's machine would be.</summary>
    public async Task<IPage> NewPage(Uri address)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = address.ToString(),
            Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        context.SetDefaultTimeout(15_000); // a loaded two-core machine; assertions that need "fast" set their own
        var page = await context.NewPageAsync();
        // A script error or a blocked resource (the Content-Security-Policy) fails the test that saw it.
        page.PageError += (_, message) => PageErrors.Add(message);
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                PageErrors.Add(message.Text);
            }
        };
        return page;
    }

    public List<string> PageErrors { get; } = [];

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>Where the browser tests save screenshots of the pages they visit, for a reviewer:
/// HAZARDGRID_SCREENSHOTS, or <c>artifacts/screenshots</c> under the repository root (not committed).
/// ./test.sh prints the folder at its end.</summary>
public static class Screenshots
{
    public static string Folder { get; } = Resolve();

    public static async Task Save(IPage page, string name)
    {
        Directory.CreateDirectory(Folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder, name + ".png"), FullPage = true });
    }

    private static string Resolve()
    {
        if (Environment.GetEnvironmentVariable("HAZARDGRID_SCREENSHOTS") is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }

        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "HazardGrid.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? AppContext.BaseDirectory, "artifacts", "screenshots");
    }
}
