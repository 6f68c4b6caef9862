using System.Collections.Concurrent;

namespace HazardGrid.Tests.Infrastructure;

/// <summary>
/// A silo call filter that counts grain calls by method (and by method and grain): those that
/// have reached their activation and run up to their first wait, and those that have finished.
/// These are positive signals a test can wait for instead of sleeping: a town's ApplyHazardFacts
/// counted as reached has joined the pending ledger batch; an enterprise's one-way Escalate counted
/// as finished has been handled, whatever it did.
/// </summary>
public sealed class GrainCallCounter : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<string, int> _reached = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _finished = new(StringComparer.Ordinal);

    /// <summary>Calls of <paramref name="method"/> (to grain <paramref name="to"/> and from grain <paramref name="from"/>, if given)
    /// that have run up to their first wait.</summary>
    public int Reached(string method, GrainId? to = null, GrainId? from = null) => _reached.GetValueOrDefault(Key(method, to, from));

    /// <summary>Calls of <paramref name="method"/> (to grain <paramref name="to"/> and from grain <paramref name="from"/>, if given)
    /// that have finished, successfully or not.</summary>
    public int Finished(string method, GrainId? to = null, GrainId? from = null) => _finished.GetValueOrDefault(Key(method, to, from));

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        // The grain method runs synchronously inside Invoke() until its first incomplete await;
        // count it as reached once that part has run, then as finished once it completes.
        var call = context.Invoke();
        Count(_reached, context);
        try
        {
            await call;
        }
        finally
        {
            Count(_finished, context);
        }
    }

    private static void Count(ConcurrentDictionary<string, int> counts, IIncomingGrainCallContext context)
    {
        foreach (var to in new GrainId?[] { null, context.TargetId })
        {
            foreach (var from in new GrainId?[] { null, context.SourceId })
            {
                counts.AddOrUpdate(Key(context.MethodName, to, from), 1, (_, n) => n + 1);
            }
        }
    }

    private static string Key(string method, GrainId? to, GrainId? from) => $"{method}@{to}<-{from}";
}
