using System.Diagnostics;
using Xunit;
using Xunit.Sdk;

namespace HazardGrid.Tests.Infrastructure;

/// <summary>
/// The one way tests wait for something that happens asynchronously (figures travelling up the
/// tree, a ladder step firing, a silo coming back): poll with a short back-off until an assertion
/// holds, and on timeout fail with what was awaited, for how long, and the last assertion's message.
/// </summary>
/// <remarks>
/// Waiting for something to happen is this helper's job; waiting for something <em>not</em> to
/// happen is not: a test proves "nothing more happened" by first waiting for a later, observable
/// event that is ordered after the thing that must not have happened (see the tests' comments).
/// </remarks>
public static class Eventually
{
    /// <summary>Long enough for a loaded two-core machine; a condition that holds usually does so in milliseconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan s_firstPause = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan s_longestPause = TimeSpan.FromMilliseconds(250);

    /// <summary>Runs <paramref name="assertion"/> until it completes without throwing.</summary>
    public static async Task Holds(Func<Task> assertion, string waitingFor, TimeSpan? timeout = null) =>
        await Holds(async () =>
        {
            await assertion();
            return true;
        }, waitingFor, timeout);

    /// <summary>Runs <paramref name="assertion"/> until it completes without throwing, and returns what it returned.</summary>
    public static async Task<T> Holds<T>(Func<Task<T>> assertion, string waitingFor, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        var pause = s_firstPause;
        var attempts = 0;
        while (true)
        {
            attempts++;
            Exception last;
            try
            {
                return await assertion();
            }
            catch (Exception ex)
            {
                last = ex;
            }

            if (clock.Elapsed >= limit)
            {
                var why = last is XunitException ? last.Message : $"{last.GetType().Name}: {last.Message}";
                throw new XunitException($"waited {clock.Elapsed.TotalSeconds:F1} s ({attempts} attempts) for {waitingFor}; the last attempt said:{Environment.NewLine}{why}", last);
            }

            await Task.Delay(pause);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, s_longestPause.Ticks));
        }
    }

    /// <summary>Reads <paramref name="read"/> until <paramref name="condition"/> holds for what it returned, and returns that.</summary>
    public static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> condition, string waitingFor, TimeSpan? timeout = null) =>
        await Holds(async () =>
        {
            var value = await read();
            Assert.True(condition(value), $"not yet: {value}");
            return value;
        }, waitingFor, timeout);

    /// <summary>Checks <paramref name="condition"/> until it is true.</summary>
    public static async Task Until(Func<bool> condition, string waitingFor, TimeSpan? timeout = null) =>
        await Holds(() =>
        {
            Assert.True(condition(), "not yet");
            return Task.CompletedTask;
        }, waitingFor, timeout);
}
