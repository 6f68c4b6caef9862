using System.Diagnostics;
using Spectre.Console;

namespace HazardGrid.Simulator;

/// <summary>
/// Progress of the load's phases, fed by <see cref="LoadRunner"/>'s progress callback
/// (<see cref="Report"/>). On a terminal, a Spectre.Console progress bar per phase; when output is
/// redirected (tests, bench/run) or the terminal cannot redraw, a plain line every few seconds and
/// one when the phase ends, so logs stay readable.
/// </summary>
public sealed class ProgressBar(IAnsiConsole console)
{
    private static readonly TimeSpan s_lineEvery = TimeSpan.FromSeconds(5);

    private readonly object _gate = new();
    private readonly bool _live = console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi;
    private readonly HashSet<string> _finished = [];
    private readonly Stopwatch _phaseClock = new();
    private string _phase = string.Empty;
    private long _done;
    private TimeSpan _lastLine;
    private Task? _display;
    private TaskCompletionSource? _phaseEnded;

    public ProgressBar()
        : this(AnsiConsole.Console)
    {
    }

    public void Report(string phase, long done, long total)
    {
        Task? display = null;
        lock (_gate)
        {
            if (_finished.Contains(phase))
            {
                return; // a late tick of a phase that has ended
            }

            if (phase != _phase)
            {
                _phase = phase;
                _phaseClock.Restart();
                _lastLine = TimeSpan.Zero;
                if (_live)
                {
                    _phaseEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _display = ShowAsync(phase, total, _phaseEnded.Task);
                }
            }

            _done = done;
            if (done >= total)
            {
                _finished.Add(phase);
                _phaseEnded?.TrySetResult();
                display = _display;
            }

            if (!_live && (done >= total || _phaseClock.Elapsed - _lastLine > s_lineEvery))
            {
                console.WriteLine(Describe(phase, done, total));
                _lastLine = _phaseClock.Elapsed;
            }
        }

        // The phase's bar is drawn complete before anything else is written.
        display?.GetAwaiter().GetResult();
    }

    private Task ShowAsync(string phase, long total, Task ended) =>
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(phase, maxValue: Math.Max(1, total));
                while (true)
                {
                    long done;
                    lock (_gate)
                    {
                        done = _done;
                    }

                    task.Value = done;
                    task.Description = Markup.Escape(Describe(phase, done, total));
                    if (ended.IsCompleted)
                    {
                        task.Value = task.MaxValue;
                        task.StopTask();
                        return;
                    }

                    await Task.WhenAny(ended, Task.Delay(250));
                }
            });

    private string Describe(string phase, long done, long total)
    {
        var rate = done / Math.Max(0.001, _phaseClock.Elapsed.TotalSeconds);
        var fraction = total == 0 ? 1 : (double)done / total;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{phase,-12} {fraction * 100,3:F0}% {done:N0}/{total:N0} {rate:N0}/s");
    }
}
