using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Escalations;
using HazardGrid.Hazards;
using HazardGrid.Regions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HazardGrid.Rollups;

/// <summary>Timing of the upward cascade.</summary>
public sealed class RollupOptions
{
    /// <summary>How long a changed region waits to gather further changes before reporting up.</summary>
    public TimeSpan FlushDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often a town checks its deadlines and month boundary against the domain clock.</summary>
    public TimeSpan ClockCheckPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a parent re-reads its children, repairing anything a lost report missed.</summary>
    public TimeSpan ReconcilePeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a town waits for a requested ladder step to show up before asking again.</summary>
    public TimeSpan EscalationRetry { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>The persisted ledger of a town: the latest facts of every hazard in it.</summary>
[GenerateSerializer, Alias("hg.TownLedgerState")]
public sealed record TownLedgerState
{
    [Id(0)] public ImmutableDictionary<string, HazardFacts> Hazards { get; init; } = ImmutableDictionary<string, HazardFacts>.Empty;
    [Id(1)] public ImmutableDictionary<string, FatalAccident> FatalAccidents { get; init; } = ImmutableDictionary<string, FatalAccident>.Empty;
}

/// <summary>
/// A region of the division tree, keyed by its division code.
/// <para>A <b>town</b> is where hazards are counted: its ledger holds every hazard's latest facts
/// and is persisted before a write is acknowledged, so the town's figures are always a recount
/// of its ledger. Writes to one town are group-committed: callers that arrive while the ledger is
/// being written share the next write instead of queueing for one each.</para>
/// <para>A <b>county, city or the province</b> holds its children's latest figures in memory and
/// adds them up. It pulls them from its children when it activates and every
/// <see cref="RollupOptions.ReconcilePeriod"/>; in between, children push changes up, batched over
/// <see cref="RollupOptions.FlushDelay"/>. So a burst of writes in one town reaches the province
/// as one report, and the province is never on a write's path.</para>
/// </summary>
public sealed class RegionGrain(
    [PersistentState("ledger", StorageNames.Store)] IPersistentState<TownLedgerState> ledger,
    [PersistentState("ledger-1", StorageNames.Store)] IPersistentState<TownLedgerState> ledger1,
    [PersistentState("ledger-2", StorageNames.Store)] IPersistentState<TownLedgerState> ledger2,
    [PersistentState("ledger-3", StorageNames.Store)] IPersistentState<TownLedgerState> ledger3,
    [PersistentState("ledger-4", StorageNames.Store)] IPersistentState<TownLedgerState> ledger4,
    [PersistentState("ledger-5", StorageNames.Store)] IPersistentState<TownLedgerState> ledger5,
    [PersistentState("ledger-6", StorageNames.Store)] IPersistentState<TownLedgerState> ledger6,
    [PersistentState("ledger-7", StorageNames.Store)] IPersistentState<TownLedgerState> ledger7,
    RegionCatalog regions,
    DomainClock clock,
    EscalationPolicy policy,
    IOptions<RollupOptions> options,
    ILogger<RegionGrain> logger) : Grain, IRegionGrain
{
    /// <summary>How many direct reports the province keeps in memory for its feed.</summary>
    public const int DirectReportFeedLength = 100;

    private readonly Dictionary<string, ChildFigures> _children = new(StringComparer.Ordinal);
    private readonly LinkedList<DirectReport> _directReports = new();
    private readonly List<(HazardFacts Hazard, EscalationStep Step, DateTimeOffset DueAt)> _due = [];
    private readonly Dictionary<string, (EscalationStep Step, DateTime At)> _requested = new(StringComparer.Ordinal);
    private readonly RollupOptions _options = options.Value;
    private Region _region = null!;
    private HazardFigures? _figures;
    private DateTimeOffset? _nextClockChange;
    private long _sequence;
    private bool _dirty;
    private IGrainTimer? _flushTimer;
    private IGrainTimer? _clockTimer;

    // The town's ledger as last stored. Everything that reads the ledger (counts, watch list,
    // events, the version checks) reads this, never ledger.State: the apply methods interleave,
    // so reads run while a write is in flight, and ledger.State then holds facts the store may
    // still refuse. A figure reported up, or a hazard shown, must never be one the store lost.
    private TownLedgerState _stored = new();

    // Group commit: the batch being written and the batch gathering behind it. Only the write
    // loop (WriteLedger) sets ledger.State, so one write at a time and no lock is needed (a
    // grain's turns never run in parallel).
    private LedgerBatch? _writing;
    private LedgerBatch? _pending;

    // The ledger is stored in eight parts, a hazard's part chosen by its id (fatal accidents in the
    // first): a write stores only the parts its facts fall in. A town of the full province holds
    // ~100 hazards; storing all of them for every change made the ledger write grow with the town
    // (14 KB, compressed out of line by PostgreSQL) and the province load slow down as it filled.
    private readonly IPersistentState<TownLedgerState>[] _parts = [ledger, ledger1, ledger2, ledger3, ledger4, ledger5, ledger6, ledger7];

    private bool IsTown => _region.Level == RegionLevel.Town;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!regions.TryGet(this.GetPrimaryKeyString(), out _region))
        {
            throw DomainException.NotFound("name", $"region {this.GetPrimaryKeyString()} is not in the division tree");
        }

        if (IsTown)
        {
            _stored = Merge(_parts.Select(p => p.State));
            await SplitWholeLedger();
            Recount();
        }
        else
        {
            await PullChildren();
            this.RegisterGrainTimer(_ => PullChildren(), _options.ReconcilePeriod, _options.ReconcilePeriod);
        }
    }

    public Task<RegionStatus> GetStatus()
    {
        var figures = CurrentFigures();
        return Task.FromResult(new RegionStatus(_region, figures, clock.Now, figures.OverdueShare > policy.RegionOverdueShareThreshold, [.. _directReports]));
    }

    public async Task<ImmutableArray<WatchListEntry>> GetWatchList()
    {
        if (IsTown)
        {
            var now = clock.Now;
            var accidents = _stored.FatalAccidents.Values.Where(a => ChinaTime.SameYear(a.OccurredAt, now)).ToLookup(a => a.CreditCode);
            var open = _stored.Hazards.Values.Where(h => h.IsOpen).ToLookup(h => h.CreditCode);
            return [.. open.Select(g => g.Key).Union(accidents.Select(g => g.Key))
                .Select(code => new WatchListEntry(code, _region.Code, open[code].Any(h => h.Has(EscalationStep.PublicExposure)), open[code].Count(h => h.IsOverdueAt(now)), accidents[code].Count()))
                .Where(e => e.Exposed || e.OverdueHazards > policy.WatchListOverdueHazards || e.FatalAccidentsThisYear > 0)
                .OrderBy(e => e.CreditCode, StringComparer.Ordinal)];
        }

        var children = await Task.WhenAll(regions.ChildrenOf(_region.Code).Select(c => GrainFactory.GetGrain<IRegionGrain>(c).GetWatchList()));
        return [.. children.SelectMany(c => c)];
    }

    public async Task<ImmutableArray<RegionEscalationEvent>> GetEscalationEvents()
    {
        if (IsTown)
        {
            return [.. _stored.Hazards.Values
                .Where(h => !h.Escalations.IsDefaultOrEmpty)
                .SelectMany(h => h.Escalations.Select(e => new RegionEscalationEvent(h.HazardId, _region.Code, e.Step, e.DueAt, e.FiredAt, e.Trigger)))
                .OrderByDescending(e => e.FiredAt).ThenBy(e => e.HazardId, StringComparer.Ordinal).ThenBy(e => e.Step)];
        }

        var children = await Task.WhenAll(regions.ChildrenOf(_region.Code).Select(c => GrainFactory.GetGrain<IRegionGrain>(c).GetEscalationEvents()));
        return [.. children.SelectMany(c => c).OrderByDescending(e => e.FiredAt).ThenBy(e => e.HazardId, StringComparer.Ordinal).ThenBy(e => e.Step)];
    }

    public async Task ApplyHazardFacts(ImmutableArray<HazardFacts> facts)
    {
        if (!IsTown)
        {
            throw new InvalidOperationException($"Region {_region.Code} is a {_region.Level}; hazards are counted in towns.");
        }

        // Each fact needs the first write that holds it or a newer version: none if stored, the
        // write in flight if that has it, else the pending batch. The pending batch is written
        // only after the one in flight succeeds, so waiting for it covers both.
        LedgerBatch? awaited = null;
        foreach (var fact in facts)
        {
            if (_stored.Hazards.TryGetValue(fact.HazardId, out var known) && known.Version >= fact.Version)
            {
                continue;
            }

            if (_writing is { } writing && writing.Hazards.TryGetValue(fact.HazardId, out var inFlight) && inFlight.Version >= fact.Version)
            {
                awaited ??= writing;
                continue;
            }

            var pending = _pending ??= new LedgerBatch();
            if (!pending.Hazards.TryGetValue(fact.HazardId, out var queued) || queued.Version < fact.Version)
            {
                pending.Hazards[fact.HazardId] = fact;
            }

            awaited = pending;
        }

        await WrittenWith(awaited);
    }

    public async Task ApplyFatalAccident(FatalAccident accident)
    {
        if (!IsTown)
        {
            throw new InvalidOperationException($"Region {_region.Code} is a {_region.Level}; accidents are counted in towns.");
        }

        if (_stored.FatalAccidents.ContainsKey(accident.Id))
        {
            return;
        }

        if (_writing is { } writing && writing.Accidents.ContainsKey(accident.Id))
        {
            await WrittenWith(writing);
            return;
        }

        var pending = _pending ??= new LedgerBatch();
        pending.Accidents.TryAdd(accident.Id, accident);
        await WrittenWith(pending);
    }

    /// <summary>Completes once <paramref name="batch"/> is stored (at once for none), starting the
    /// write loop if no write is in flight.</summary>
    private Task WrittenWith(LedgerBatch? batch)
    {
        if (batch is null)
        {
            return Task.CompletedTask;
        }

        if (_writing is null)
        {
            // Not awaited here: the loop outlives this call while others keep joining, and each
            // caller waits only for its own batch. It cannot be left running on an idle
            // activation: every batch it writes has callers waiting on it.
            _ = WriteLedger();
        }

        return batch.Written.Task;
    }

    /// <summary>
    /// Writes pending batches one after another until none is left. A batch holds only facts
    /// newer than the stored ledger and the write before it, so it is simply laid over the stored
    /// ledger. Callers are answered after the recount, so they read their own writes.
    /// </summary>
    private async Task WriteLedger()
    {
        while (_pending is { } batch)
        {
            _pending = null;
            _writing = batch;
            var next = _stored with
            {
                Hazards = _stored.Hazards.SetItems(batch.Hazards),
                FatalAccidents = _stored.FatalAccidents.SetItems(batch.Accidents),
            };
            try
            {
                var touched = batch.Hazards.Keys.Select(PartOf).Concat(batch.Accidents.Count > 0 ? [0] : Array.Empty<int>()).Distinct();
                await Task.WhenAll(touched.Select(part => _parts[part].WriteOrRollBackAsync(PartState(next, part), this)));
            }
            catch (Exception ex)
            {
                // The parts' states are back to what was stored (a part that was written is
                // in the store, and a fresh activation will read it) and the activation is retired. The batch behind
                // fails too rather than being written from here: if the store kept the failed
                // write after all, this activation's ETag is stale; the callers retry against a
                // fresh activation that reads the store.
                _writing = null;
                var behind = _pending;
                _pending = null;
                batch.Written.TrySetException(ex);
                behind?.Written.TrySetException(ex);
                return;
            }

            _stored = next;
            _writing = null;
            HazardGridMetrics.LedgerWrite();
            try
            {
                Recount();
                MarkDirty();
                batch.Written.TrySetResult();
            }
            catch (Exception ex)
            {
                // Stored, but not counted: the callers hear of it, as they did before batching,
                // and no caller is ever left waiting.
                batch.Written.TrySetException(ex);
            }
        }
    }

    public Task ReceiveDirectReport(DirectReport report)
    {
        if (_directReports.All(r => r.Id != report.Id))
        {
            _directReports.AddFirst(report);
            if (_directReports.Count > DirectReportFeedLength)
            {
                _directReports.RemoveLast();
            }
        }

        return Task.CompletedTask;
    }

    // Interleaves: it only swaps an entry in memory, and must not wait behind this region's own
    // upward report (a child reporting while its parent pulls would otherwise deadlock).
    public Task ReportChildFigures(ChildFigures figures)
    {
        if (!_children.TryGetValue(figures.Code, out var known) || known.Sequence < figures.Sequence)
        {
            // A sequence is the wall-clock tick of the child's change: the difference is the lag.
            HazardGridMetrics.RollupLag(DateTime.UtcNow - new DateTime(figures.Sequence, DateTimeKind.Utc), _region.Level.ToString());
            _children[figures.Code] = figures;
            _figures = null;
            MarkDirty();
        }

        return Task.CompletedTask;
    }

    public Task<ChildFigures> GetFiguresForParent() =>
        Task.FromResult(new ChildFigures(_region.Code, CurrentFigures(), _sequence));

    private HazardFigures CurrentFigures()
    {
        RecountIfClockPassed();
        return _figures ??= HazardFigures.Sum(_children.Values.Select(c => c.Figures));
    }

    /// <summary>
    /// Recounts the town's ledger, asks for every ladder step that is due, and arms the clock
    /// check for the next time-driven change (a deadline, a month, the next step falling due).
    /// </summary>
    private void Recount()
    {
        var now = clock.Now;
        var facts = _stored.Hazards.Values;
        var accidents = _stored.FatalAccidents.Values;
        _figures = HazardFigures.Count(facts, now, policy.WatchListOverdueHazards, accidents);
        _nextClockChange = HazardFigures.NextChange(facts, now);
        if (accidents.Any(a => ChinaTime.SameYear(a.OccurredAt, now)) && (_nextClockChange is null || ChinaTime.StartOfNextYear(now) < _nextClockChange))
        {
            _nextClockChange = ChinaTime.StartOfNextYear(now);
        }
        _due.Clear();
        foreach (var hazard in facts)
        {
            if (hazard.NextEscalation(policy) is ({ } rung, var dueAt))
            {
                if (dueAt <= now)
                {
                    _due.Add((hazard, rung.Step, dueAt));
                }
                else if (_nextClockChange is null || dueAt < _nextClockChange)
                {
                    _nextClockChange = dueAt;
                }
            }
        }

        // Forget requests for hazards with nothing due any more (fired, extended, closed).
        foreach (var answered in _requested.Keys.Where(id => _due.All(d => d.Hazard.HazardId != id)).ToList())
        {
            _requested.Remove(answered);
        }

        RequestDueEscalations();
        _sequence = NextSequence();
        if (_nextClockChange is not null || _due.Count > 0)
        {
            _clockTimer ??= this.RegisterGrainTimer(CheckClock, _options.ClockCheckPeriod, _options.ClockCheckPeriod);
        }
        else
        {
            _clockTimer?.Dispose();
            _clockTimer = null;
        }
    }

    private Task CheckClock(CancellationToken cancellationToken)
    {
        RecountIfClockPassed();
        RequestDueEscalations();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Asks each due hazard's enterprise to fire its step. The request is one-way; the answer is
    /// the hazard's new facts arriving here. A request not answered within
    /// <see cref="RollupOptions.EscalationRetry"/> (lost with a failed silo, say) is sent again: the
    /// hazard fires a step only once, so a repeat is harmless.
    /// </summary>
    private void RequestDueEscalations()
    {
        var now = DateTime.UtcNow;
        foreach (var (hazard, step, dueAt) in _due)
        {
            if (_requested.TryGetValue(hazard.HazardId, out var asked) && asked.Step == step && now - asked.At < _options.EscalationRetry)
            {
                continue;
            }

            _requested[hazard.HazardId] = (step, now);
            var key = HazardKey.Parse(hazard.HazardId);
            _ = GrainFactory.GetGrain<IEnterpriseGrain>(key.CreditCode).Escalate(key.Number, step, dueAt);
        }
    }

    /// <summary>A deadline passed or a month turned since the last count: count again and report up.</summary>
    private void RecountIfClockPassed()
    {
        if (IsTown && _nextClockChange is { } change && clock.Now >= change)
        {
            Recount();
            MarkDirty();
        }
    }

    private async Task PullChildren()
    {
        var children = await Task.WhenAll(regions.ChildrenOf(_region.Code).Select(c => GrainFactory.GetGrain<IRegionGrain>(c).GetFiguresForParent()));
        var changed = false;
        foreach (var child in children)
        {
            if (!_children.TryGetValue(child.Code, out var known) || known.Sequence < child.Sequence || !known.Figures.Equals(child.Figures))
            {
                _children[child.Code] = child;
                changed = true;
            }
        }

        if (changed)
        {
            _figures = null;
            _sequence = NextSequence();
            MarkDirty();
        }
    }

    private void MarkDirty()
    {
        _sequence = NextSequence();
        if (_region.ParentCode is null)
        {
            return;
        }

        _dirty = true;
        _flushTimer ??= this.RegisterGrainTimer(Flush, _options.FlushDelay, _options.FlushDelay);
    }

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
        try
        {
            await GrainFactory.GetGrain<IRegionGrain>(_region.ParentCode!).ReportChildFigures(new ChildFigures(_region.Code, CurrentFigures(), _sequence));
        }
        catch (Exception ex)
        {
            // The parent will also re-read this region on its reconcile tick; keep trying meanwhile.
            _dirty = true;
            logger.LogWarning(ex, "Region {Region} could not report to {Parent}", _region.Code, _region.ParentCode);
        }
    }

    /// <summary>Orders reports from this region across activations: wall-clock ticks, strictly increasing.</summary>
    private long NextSequence() => _sequence = Math.Max(_sequence + 1, DateTime.UtcNow.Ticks);

    /// <summary>Facts gathered for one ledger write, and the answer of every caller waiting on it.</summary>
    /// <summary>
    /// A ledger stored whole (before it was split into parts) sits in the first part: store each
    /// other part's share first, and only then the first part without them, so that no fact is
    /// ever only in memory.
    /// </summary>
    private async Task SplitWholeLedger()
    {
        var misplaced = _parts[0].State.Hazards.Keys.Where(id => PartOf(id) != 0).Select(PartOf).Distinct().ToList();
        if (misplaced.Count == 0)
        {
            return;
        }

        await Task.WhenAll(misplaced.Select(part => _parts[part].WriteOrRollBackAsync(PartState(_stored, part), this)));
        await _parts[0].WriteOrRollBackAsync(PartState(_stored, 0), this);
    }

    private int PartOf(string hazardId) => (int)((uint)StableHash(hazardId) % (uint)_parts.Length);

    // string.GetHashCode is randomized per process: a hazard must fall in the same part in every one.
    private static int StableHash(string text)
    {
        var hash = unchecked((int)2166136261);
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 16777619);
        }

        return hash;
    }

    private TownLedgerState PartState(TownLedgerState ledger, int part) => new()
    {
        Hazards = ledger.Hazards.Where(h => PartOf(h.Key) == part).ToImmutableDictionary(StringComparer.Ordinal),
        FatalAccidents = part == 0 ? ledger.FatalAccidents : ImmutableDictionary<string, FatalAccident>.Empty,
    };

    /// <summary>The whole ledger from its parts; a hazard found in two (written before the ledger
    /// was split) counts at its newest version.</summary>
    private static TownLedgerState Merge(IEnumerable<TownLedgerState> parts)
    {
        var hazards = ImmutableDictionary.CreateBuilder<string, HazardFacts>(StringComparer.Ordinal);
        var accidents = ImmutableDictionary.CreateBuilder<string, FatalAccident>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            foreach (var (id, facts) in part.Hazards)
            {
                if (!hazards.TryGetValue(id, out var known) || known.Version < facts.Version)
                {
                    hazards[id] = facts;
                }
            }

            accidents.AddRange(part.FatalAccidents.Where(a => !accidents.ContainsKey(a.Key)));
        }

        return new TownLedgerState { Hazards = hazards.ToImmutable(), FatalAccidents = accidents.ToImmutable() };
    }

    private sealed class LedgerBatch
    {
        public Dictionary<string, HazardFacts> Hazards { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, FatalAccident> Accidents { get; } = new(StringComparer.Ordinal);

        // Callers resume in turns of their own, not inside the write loop.
        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
