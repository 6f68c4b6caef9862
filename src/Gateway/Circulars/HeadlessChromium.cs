using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HazardGrid.Gateway.Circulars;

/// <summary>
/// One headless Chromium kept running, driven over its DevTools pipe
/// (<c>--remote-debugging-pipe</c>: commands on file descriptor 3, answers on 4, each a JSON
/// message ended by a NUL byte). Starting Chromium takes seconds and printing a page a fraction of
/// one, so the printer keeps a browser rather than starting one per document. A pipe rather than
/// a debugging port: no other local user can reach the browser, and Chromium exits by itself when
/// this process ends and the pipe closes.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    // fd 3 reads what we write to its stdin, fd 4 writes to what we read as its stdout; its own
    // stdout goes to stderr so that its log lines never mix with the protocol.
    private const string PipeRedirection = "exec \"$0\" \"$@\" 3<&0 4>&1 0</dev/null 1>&2";
    private const int KeptErrorLines = 20;

    private readonly Process _process;
    private readonly DirectoryInfo _profile;
    private readonly Stream _commands;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly Task _reading;
    private int _nextId;

    private HeadlessChromium(Process process, DirectoryInfo profile)
    {
        _process = process;
        _profile = profile;
        _commands = process.StandardInput.BaseStream;
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { Length: > 0 } text)
            {
                _errors.Enqueue(text);
                while (_errors.Count > KeptErrorLines && _errors.TryDequeue(out string? _))
                {
                }
            }
        };
        process.BeginErrorReadLine();
        _reading = Task.Run(() => ReadAnswers(process.StandardOutput.BaseStream));
    }

    /// <summary>Whether the browser still answers: false once its process ended or its pipe broke.</summary>
    public bool Running => !_reading.IsCompleted;

    public int ProcessId => _process.Id;

    /// <summary>Chromium's last lines on stderr, for a log entry when something failed.</summary>
    public string RecentErrors => string.Join(Environment.NewLine, _errors);

    /// <summary>Starts Chromium with a fresh profile and waits until it answers on the pipe.</summary>
    public static async Task<HeadlessChromium> StartAsync(string chromium, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var profile = Directory.CreateTempSubdirectory("hazardgrid-chromium-");
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList =
            {
                "-c", PipeRedirection, chromium,
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
                "--mute-audio", "--remote-debugging-pipe", $"--user-data-dir={profile.FullName}", "about:blank",
            },
        };

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{chromium} did not start");
        }
        catch
        {
            profile.Delete(recursive: true);
            throw;
        }

        var browser = new HeadlessChromium(process, profile);
        try
        {
            using var ready = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            ready.CancelAfter(timeout);
            await browser.SendAsync("Browser.getVersion", [], null, ready.Token);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends one DevTools command (to a page when <paramref name="session"/> is given) and returns its result.</summary>
    public async Task<JsonElement> SendAsync(string method, JsonObject parameters, string? session, CancellationToken cancellationToken)
    {
        if (!Running)
        {
            throw new ChromiumException($"Chromium is no longer running (exit code {ExitCode()})");
        }

        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        var command = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        if (session is not null)
        {
            command["sessionId"] = session;
        }

        using var cancel = cancellationToken.Register(() =>
        {
            if (_pending.TryRemove(id, out var waiting))
            {
                waiting.TrySetCanceled(cancellationToken);
            }
        });

        var message = JsonSerializer.SerializeToUtf8Bytes(command);
        await _writing.WaitAsync(cancellationToken);
        try
        {
            await _commands.WriteAsync(message, cancellationToken);
            await _commands.WriteAsync(new byte[] { 0 }, cancellationToken);
            await _commands.FlushAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            _pending.TryRemove(id, out _);
            throw new ChromiumException($"Chromium's pipe broke (exit code {ExitCode()})", ex);
        }
        finally
        {
            _writing.Release();
        }

        return await answer.Task;
    }

    private async Task ReadAnswers(Stream answers)
    {
        var message = new ArrayBufferWriter<byte>();
        var chunk = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await answers.ReadAsync(chunk)) > 0)
            {
                var rest = chunk.AsSpan(0, read);
                int end;
                while ((end = rest.IndexOf((byte)0)) >= 0)
                {
                    message.Write(rest[..end]);
                    Dispatch(message.WrittenSpan);
                    message.ResetWrittenCount();
                    rest = rest[(end + 1)..];
                }

                message.Write(rest);
            }
        }
        catch (IOException)
        {
            // The process ended under us: answered below like an end of the stream.
        }
        finally
        {
            foreach (var id in _pending.Keys)
            {
                if (_pending.TryRemove(id, out var waiting))
                {
                    waiting.TrySetException(new ChromiumException($"Chromium stopped answering (exit code {ExitCode()})"));
                }
            }
        }
    }

    /// <summary>Hands an answer to its command; events (messages without an id) are not used.</summary>
    private void Dispatch(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var root = document.RootElement;
        if (!root.TryGetProperty("id", out var id) || !_pending.TryRemove(id.GetInt32(), out var waiting))
        {
            return;
        }

        if (root.TryGetProperty("error", out var error))
        {
            waiting.TrySetException(new ChromiumException($"Chromium refused the command: {error.GetProperty("message").GetString()}"));
        }
        else
        {
            waiting.TrySetResult(root.GetProperty("result").Clone());
        }
    }

    private string ExitCode() => _process.HasExited ? _process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none yet";

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // Gone already, or not ending: nothing more to do from here.
        }

        await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _process.Dispose();
        _writing.Dispose();
        try
        {
            _profile.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A renderer may still hold a file for a moment; the temporary folder is left behind.
        }
    }
}

/// <summary>Chromium failed, refused a command or went away.</summary>
internal sealed class ChromiumException(string message, Exception? inner = null) : Exception(message, inner);
