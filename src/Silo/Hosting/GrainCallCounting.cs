using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using HazardGrid.Common;

namespace HazardGrid.Silo.Hosting;

/// <summary>
/// Counts the grain calls this silo serves per grain, for finding hot grains (issue 12's "no single
/// grain takes more than 1% of all calls", measured by bench/ScalingBench). Orleans' own meters count
/// calls per silo (<c>orleans_messaging_processing_dispatcher_processed</c>) but not per grain, and the
/// dashboard's per-grain profiler costs far more (~40% of in-process call throughput, see
/// STACK-FACTS). OFF by default: switched on with <c>HazardGrid:Diagnostics:CountGrainCalls=true</c>
/// (the bench passes it); when off, no filter is registered and nothing is counted.
/// <para>Exported on the <c>HazardGrid</c> meter, so at <c>/metrics</c>:
/// <c>hazardgrid_grain_calls_counted_total</c> (every grain call this silo served) and
/// <c>hazardgrid_grain_calls_hottest{grain="type/key"}</c> (the <see cref="Hottest"/> most-called
/// grains on this silo, with their counts since start).</para>
/// </summary>
public static class GrainCallCounting
{
    public const string Setting = "HazardGrid:Diagnostics:CountGrainCalls";

    /// <summary>How many of the most-called grains a scrape shows: enough to see a hot spot and the
    /// runner-up, few enough to keep the metrics page short.</summary>
    public const int Hottest = 5;

    /// <summary>Grains tracked at most: one counter each (~100 bytes); grains beyond the limit
    /// still count in the total. A benchmark province (tens of thousands of grains) stays far below.</summary>
    public const int MostGrainsTracked = 1_000_000;

    public static ISiloBuilder AddGrainCallCounting(this ISiloBuilder silo, IConfiguration configuration)
    {
        if (configuration.GetValue<bool>(Setting))
        {
            silo.Services.AddSingleton<HotGrainCounter>();
            silo.AddIncomingGrainCallFilter<HotGrainCounter>();
        }

        return silo;
    }
}

/// <summary>The incoming-call filter behind <see cref="GrainCallCounting"/>: one dictionary
/// look-up and one interlocked increment per call.</summary>
public sealed class HotGrainCounter : IIncomingGrainCallFilter, IDisposable
{
    private readonly ConcurrentDictionary<GrainId, StrongBox<long>> _calls = new();
    private readonly Meter _meter = new(HazardGridMetrics.MeterName);
    private long _total;
    private int _tracked;

    public HotGrainCounter()
    {
        _meter.CreateObservableCounter("hazardgrid.grain_calls.counted", () => Interlocked.Read(ref _total), unit: "{call}",
            description: "Grain calls this silo served (counted only with HazardGrid:Diagnostics:CountGrainCalls).");
        _meter.CreateObservableGauge("hazardgrid.grain_calls.hottest", Hottest, unit: "{call}",
            description: "Calls served by this silo's most-called grains since start, by grain.");
    }

    public Task Invoke(IIncomingGrainCallContext context)
    {
        var id = context.TargetId;
        if (id.IsSystemTarget())
        {
            return context.Invoke(); // the runtime's own services (load publisher, directory...), not grains
        }

        Interlocked.Increment(ref _total);
        if (!_calls.TryGetValue(id, out var count) && Volatile.Read(ref _tracked) < GrainCallCounting.MostGrainsTracked)
        {
            // ConcurrentDictionary.Count would take every lock: the entries are counted here instead.
            var fresh = new StrongBox<long>();
            count = _calls.TryAdd(id, fresh) ? fresh : _calls.GetValueOrDefault(id);
            if (ReferenceEquals(count, fresh))
            {
                Interlocked.Increment(ref _tracked);
            }
        }

        if (count is not null)
        {
            Interlocked.Increment(ref count.Value);
        }

        return context.Invoke();
    }

    private IEnumerable<Measurement<long>> Hottest() => _calls
        .Select(c => (Grain: c.Key, Calls: Interlocked.Read(ref c.Value.Value)))
        .OrderByDescending(c => c.Calls)
        .Take(GrainCallCounting.Hottest)
        .Select(c => new Measurement<long>(c.Calls, new KeyValuePair<string, object?>("grain", c.Grain.ToString())))
        .ToList();

    public void Dispose() => _meter.Dispose();
}
