using HazardGrid.Common;
using HazardGrid.Regions;
using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace HazardGrid.Rollups;

/// <summary>
/// Tells a region's parent and its watchers that the region changed, batched over
/// <see cref="RollupOptions.FlushDelay"/>: a burst of changes becomes one report up and one push
/// to each watcher. Shared by the town and rollup grains; it lives and ticks in the grain's turns.
/// </summary>
internal sealed class RegionReporter(Grain grain, IGrainFactory grains, Region region, RollupOptions options, Func<RegionStatus> status, ILogger logger)
{
    private readonly ObserverManager<IRegionStatusObserver> _watchers = new(RegionWatch.Lease, logger);
    private RegionStatus? _pushed;
    private bool _dirty;
    private IGrainTimer? _flushTimer;

    /// <summary>Orders this region's reports to its parent across activations: wall-clock ticks, strictly increasing.</summary>
    public long Sequence { get; private set; }

    /// <summary>The region changed: report it within a flush delay.</summary>
    public void Changed()
    {
        Sequence = Math.Max(Sequence + 1, DateTime.UtcNow.Ticks);
        _dirty = true;
        _flushTimer ??= grain.RegisterGrainTimer(Flush, options.FlushDelay, options.FlushDelay);
    }

    public void Watch(IRegionStatusObserver observer) => _watchers.Subscribe(observer, observer);

    public void Unwatch(IRegionStatusObserver observer) => _watchers.Unsubscribe(observer);

    private async Task Flush(CancellationToken cancellationToken)
    {
        if (!_dirty)
        {
            // Nothing happened during a whole delay: stop ticking until the next change.
            _flushTimer?.Dispose();
            _flushTimer = null;
            return;
        }

        _dirty = false;
        var current = status();
        if (_watchers.Count > 0 && current.DiffersFrom(_pushed))
        {
            _pushed = current;
            await _watchers.Notify(w => w.StatusChanged(current));
        }

        if (region.ParentCode is not { } parent)
        {
            return;
        }

        try
        {
            await grains.Reference<IRollupGrain>(parent).ReportChildFigures(new ChildFigures(region.Code, current.Figures, Sequence,
                [.. current.ByScope.Items.Select(f => f with { LeadershipSummons = false })]));
        }
        catch (Exception ex)
        {
            // The parent will also re-read this region on its reconcile tick; keep trying meanwhile.
            _dirty = true;
            logger.LogWarning(ex, "Region {Region} could not report to {Parent}", region.Code, parent);
        }
    }
}
