using System.Collections.Concurrent;

namespace HazardGrid.Tests.Infrastructure;

/// <summary>
/// A silo call filter that counts, by method name, the grain calls that have reached their
/// activation and run up to their first wait. For a call that joins something and then waits
/// (a town's ApplyHazardFacts joining the pending ledger batch), the count rising proves the call
/// has joined: a positive signal a test can wait for instead of sleeping.
/// </summary>
public sealed class CallsReachingGrains : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>How many calls of <paramref name="method"/> have run up to their first wait.</summary>
    public int Count(string method) => _counts.GetValueOrDefault(method);

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        // The grain method runs synchronously inside Invoke() until its first incomplete await;
        // count once that part has run, then let the call finish.
        var call = context.Invoke();
        _counts.AddOrUpdate(context.MethodName, 1, (_, n) => n + 1);
        await call;
    }
}
