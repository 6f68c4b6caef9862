using System.Diagnostics;
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
}

/// <summary>
/// Prints a circular's HTML to PDF with headless Chromium, one process per document. Chromium
/// lays out Chinese with the machine's Noto CJK fonts, which no .NET PDF library served here
/// does; a fresh profile directory per print keeps concurrent prints apart.
/// </summary>
public sealed class ChromiumPrinter(IOptions<CircularOptions> options, ILogger<ChromiumPrinter> logger)
{
    private readonly SemaphoreSlim _printers = new(Math.Max(1, options.Value.MaxConcurrentPrints));

    public bool Available => File.Exists(options.Value.ChromiumPath);

    /// <summary>Refuses PDF (FAILED_PRECONDITION on <c>format</c>) when there is no Chromium, saying what to do instead.</summary>
    public void EnsureAvailable()
    {
        if (!Available)
        {
            throw DomainException.Precondition(
                "format",
                $"PDF needs Chromium, which this service does not find at {options.Value.ChromiumPath} (setting {CircularOptions.Section}:ChromiumPath); "
                + "download the circular as HTML (format=html) and print it from a browser instead");
        }
    }

    public async Task<byte[]> PrintAsync(string html, CancellationToken cancellationToken)
    {
        EnsureAvailable();
        await _printers.WaitAsync(cancellationToken);
        try
        {
            return await PrintOneAsync(html, cancellationToken);
        }
        finally
        {
            _printers.Release();
        }
    }

    private async Task<byte[]> PrintOneAsync(string html, CancellationToken cancellationToken)
    {
        var chromium = options.Value.ChromiumPath;

        var work = Directory.CreateTempSubdirectory("hazardgrid-circular-");
        try
        {
            var page = Path.Combine(work.FullName, "circular.html");
            var pdf = Path.Combine(work.FullName, "circular.pdf");
            await File.WriteAllTextAsync(page, html, cancellationToken);
            var start = new ProcessStartInfo(chromium)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                ArgumentList =
                {
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
                    "--no-pdf-header-footer", $"--user-data-dir={Path.Combine(work.FullName, "profile")}", $"--print-to-pdf={pdf}",
                    new Uri(page).AbsoluteUri,
                },
            };

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{chromium} did not start");
            var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.PdfTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                cancellationToken.ThrowIfCancellationRequested();
                throw new RpcException(new Status(StatusCode.Unavailable, $"Chromium did not print the circular within {options.Value.PdfTimeout.TotalSeconds:0} s; try again, or download it as HTML"));
            }

            await Task.WhenAll(output, errors);
            if (process.ExitCode != 0 || !File.Exists(pdf))
            {
                logger.LogError("Chromium ({Chromium}) exited with {ExitCode} printing a circular: {Errors}", chromium, process.ExitCode, (await errors).Trim());
                throw new RpcException(new Status(StatusCode.Internal, $"Chromium failed to print the circular (exit code {process.ExitCode}); download it as HTML instead"));
            }

            return await File.ReadAllBytesAsync(pdf, cancellationToken);
        }
        finally
        {
            try
            {
                work.Delete(recursive: true);
            }
            catch (IOException ex)
            {
                logger.LogWarning(ex, "Could not remove the print directory {Directory}", work.FullName);
            }
        }
    }
}
