using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace HazardGrid.Gateway.Services;

/// <summary>
/// The observers of the watches open on this gateway (<see cref="RegionApi.WatchRegionStatus"/>).
/// Orleans keeps only a weak reference to an observer, and a collected one stops receiving without
/// an error: the watch then shows a change only at its next renewal, 30 s later. The running call
/// alone does not keep its observer alive (an optimized async method drops a local it no longer
/// reads), so the gateway holds each observer here for as long as its call lasts. The count is the
/// gauge <c>hazardgrid.gateway.watches</c>.
/// </summary>
public sealed class OpenWatches : IDisposable
{
    private readonly ConcurrentDictionary<object, byte> _held = new(ReferenceEqualityComparer.Instance);
    private readonly Meter _meter = new("HazardGrid");

    public OpenWatches()
    {
        _meter.CreateObservableGauge("hazardgrid.gateway.watches", () => _held.Count, unit: "{watch}",
            description: "Region status watches open on this gateway.");
    }

    /// <summary>How many watches are open now.</summary>
    public int Count => _held.Count;

    /// <summary>Keeps <paramref name="observer"/> alive until the returned handle is disposed.</summary>
    public IDisposable Hold(object observer)
    {
        _held.TryAdd(observer, 0);
        return new Held(this, observer);
    }

    public void Dispose() => _meter.Dispose();

    private sealed class Held(OpenWatches watches, object observer) : IDisposable
    {
        public void Dispose() => watches._held.TryRemove(observer, out _);
    }
}
