using HazardGrid.Common;
using HazardGrid.Queries;
using HazardGrid.Rollups;
using Microsoft.Extensions.Logging;

namespace HazardGrid.Queries;

/// <summary>
/// Hands a town's stored facts to its city's <see cref="IHazardIndexGrain"/>, batched over
/// <see cref="RollupOptions.FlushDelay"/> like the figures (<see cref="RegionReporter"/>): a burst of
/// ledger writes becomes one call. Off the write path: a caller is answered once the ledger is
/// stored; the index follows a moment later. A failed hand-over is kept and tried again on the
/// next tick (only a newer version replaces a kept fact), and an index that activates rebuilds
/// from the stored ledgers anyway. Lives and ticks in the town's turns.
/// </summary>
internal sealed class HazardIndexFeed(Grain grain, IGrainFactory grains, string cityCode, TimeSpan delay, ILogger logger)
{
    private Dictionary<string, HazardFacts> _pending = new(StringComparer.Ordinal);
    private IGrainTimer? _timer;

    /// <summary>Facts the ledger stored: handed over within a delay.</summary>
    public void Stored(IEnumerable<HazardFacts> facts)
    {
        foreach (var fact in facts)
        {
            Keep(fact);
        }

        if (_pending.Count > 0)
        {
            _timer ??= grain.RegisterGrainTimer(Flush, delay, delay);
        }
    }

    private void Keep(HazardFacts fact)
    {
        if (!_pending.TryGetValue(fact.HazardId, out var kept) || kept.Version < fact.Version)
        {
            _pending[fact.HazardId] = fact;
        }
    }

    private async Task Flush(CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
        {
            _timer?.Dispose();
            _timer = null;
            return;
        }

        var batch = _pending;
        _pending = new(StringComparer.Ordinal);
        try
        {
            await grains.Reference<IHazardIndexGrain>(cityCode).Apply([.. batch.Values]);
        }
        catch (Exception ex)
        {
            foreach (var fact in batch.Values)
            {
                Keep(fact);
            }

            logger.LogWarning(ex, "Town {Town} could not hand {Count} hazard facts to the index of city {City}; trying again", grain.GetPrimaryKeyString(), batch.Count, cityCode);
        }
    }
}
