using System.Diagnostics;
using System.Net;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Embedded;

/// <summary>
/// A <c>dotnet</c> entry point (any path: the test output, a publish folder) as a child process whose
/// output is kept, with bounded waits on positive signals: a line it prints, an HTTP status it answers.
/// Killed (SIGKILL, the whole tree) on dispose.
/// </summary>
public sealed class ProcessUnderTest : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly List<string> _output = [];

    private ProcessUnderTest(string assembly, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Collect(e.Data);
        _process.ErrorDataReceived += (_, e) => Collect(e.Data);
    }

    public string Output { get { lock (_output) { return string.Join('\n', _output); } } }

    /// <summary>Starts the program with the test signing keys (<see cref="TestTokens"/>) first, so a
    /// gateway starts (it needs a key) and accepts the tests' tokens; later arguments win.</summary>
    public static ProcessUnderTest Start(string assembly, params string[] arguments)
    {
        var process = new ProcessUnderTest(assembly, [.. TestTokens.Arguments, .. arguments]);
        process._process.Start();
        process._process.BeginOutputReadLine();
        process._process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits until a line starts with <paramref name="prefix"/>; fails if the process exits first or it takes too long.</summary>
    public Task WaitForLineAsync(string prefix) =>
        EventuallyAsync(() => Task.FromResult(Lines().Any(l => l.StartsWith(prefix, StringComparison.Ordinal))), $"a line starting '{prefix}'");

    /// <summary>Waits until GET <paramref name="url"/> answers <paramref name="status"/> (connection refused counts as not yet).</summary>
    public Task WaitForHttpAsync(string url, HttpStatusCode status) =>
        EventuallyAsync(async () => await StatusAsync(url) == status, $"{url} answering {(int)status}");

    public async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (_process.HasExited)
            {
                Assert.Fail($"The process exited (code {_process.ExitCode}) before {what}. Output:\n{Output}");
            }

            if (clock.Elapsed > Bound)
            {
                Assert.Fail($"No {what} within {Bound.TotalSeconds} s. Output:\n{Output}");
            }

            await Task.Delay(200);
        }
    }

    public static async Task<HttpStatusCode?> StatusAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var response = await http.GetAsync(url);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    public IReadOnlyList<string> Lines()
    {
        lock (_output)
        {
            return [.. _output];
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Add(line);
            }
        }
    }
}
