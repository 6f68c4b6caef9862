using System.Collections.Immutable;
using HazardGrid.Accidents;
using HazardGrid.Common;
using HazardGrid.Tips;

namespace HazardGrid.Rollups;

/// <summary>The persisted ledger of a town (one of its parts): the latest facts of every hazard
/// in it, and the fatal accidents of its enterprises.</summary>
[GenerateSerializer, Alias("hg.TownLedgerState")]
public sealed record TownLedgerState
{
    [Id(0)] public ImmutableDictionary<string, HazardFacts> Hazards { get; init; } = ImmutableDictionary<string, HazardFacts>.Empty;
    [Id(1)] public ImmutableDictionary<string, FatalAccident> FatalAccidents { get; init; } = ImmutableDictionary<string, FatalAccident>.Empty;

    /// <summary>The latest facts of every rewarded tip about the town (no identity), in the part
    /// of the tip's id like a hazard's. Null in ledgers stored before tips: read as empty.</summary>
    [Id(2)] public ImmutableDictionary<string, TipFacts>? Tips { get; init; }

    public ImmutableDictionary<string, TipFacts> TipsOrEmpty => Tips ?? ImmutableDictionary<string, TipFacts>.Empty;
}

/// <summary>
/// A town's durable ledger, stored in parts, with its writes group-committed: callers that arrive
/// while a write is in flight share the next write instead of queueing for one each.
/// <para><see cref="Stored"/> is the ledger as last stored. Everything that reads the ledger reads
/// it, never a part's in-memory state: the apply calls interleave, so reads run while a write is in
/// flight, and a figure reported up, or a hazard shown, must never be one the store may still refuse.</para>
/// <para>A hazard's part is chosen by a stable hash of its id (fatal accidents live in the first),
/// so a write stores only the parts its facts fall in; bench/README.md says why.</para>
/// <para>A busy town's batch holds many hazards, which fall in every part: each write stored the
/// whole ledger again, its cost growing with the town (the busy-town trace: a quarter of the
/// silo's CPU serializing ledgers). So a write stores its facts in the recent part, beside those
/// of the writes before it, and only once that holds more than an average part's share are the
/// facts moved into their parts (one write of the parts they fall in). The recent part is left as
/// it was by that move: its facts are then in their parts as well (loading keeps a fact's newest
/// version), and the next write replaces it; moving and clearing it in one write could lose facts
/// the parts did not get.</para>
/// </summary>
internal sealed class TownLedger
{
    private readonly IReadOnlyList<IPersistentState<TownLedgerState>> _parts;
    private readonly IPersistentState<TownLedgerState> _recentPart;
    private readonly Grain _grain;
    private readonly GroupCommit<LedgerBatch> _commit;

    // The facts in the recent part not yet moved into their parts.
    private TownLedgerState _recent = new();

    public TownLedger(IReadOnlyList<IPersistentState<TownLedgerState>> parts, IPersistentState<TownLedgerState> recent, Grain grain, Action<IReadOnlyCollection<HazardFacts>> stored)
    {
        _parts = parts;
        _recentPart = recent;
        _grain = grain;
        _commit = new GroupCommit<LedgerBatch>(WriteAsync, batch =>
        {
            Stored = Next(batch);
            HazardGridMetrics.LedgerWrite();
            stored(batch.Hazards.Values);
        });
    }

    public TownLedgerState Stored { get; private set; } = new();

    /// <summary>Reads the parts. A ledger stored whole (before it was split) sits in the first
    /// part: each other part's share is stored first, and only then the first part without them,
    /// so that no fact is ever only in memory.</summary>
    public async Task LoadAsync()
    {
        _recent = _recentPart.State;
        Stored = Merge(_parts.Select(p => p.State).Append(_recent));
        var misplaced = _parts[0].State.Hazards.Keys.Where(id => PartOf(id) != 0).Select(PartOf).Distinct().ToList();
        if (misplaced.Count == 0)
        {
            return;
        }

        await Task.WhenAll(misplaced.Select(part => _parts[part].WriteOrRollBackAsync(PartState(Stored, part), _grain)));
        await _parts[0].WriteOrRollBackAsync(PartState(Stored, 0), _grain);
    }

    /// <summary>Completes once every fact is stored at its version or a newer one.</summary>
    public Task Apply(IEnumerable<HazardFacts> facts) =>
        Queue(facts, f => f.HazardId, f => f.Version, Stored.Hazards, batch => batch.Hazards);

    /// <summary>Completes once every tip's facts are stored at their version or a newer one (as for hazards).</summary>
    public Task Apply(IEnumerable<TipFacts> facts) =>
        Queue(facts, f => f.TipId, f => f.Version, Stored.TipsOrEmpty, batch => batch.Tips);

    /// <summary>
    /// Queues versioned facts (a hazard's, a tip's) for the group commit. Each fact needs the first
    /// write that holds it or a newer version: none if stored, the write in flight if that has it,
    /// else the pending batch. The pending batch is written only after the one in flight succeeds,
    /// so waiting for it covers both.
    /// </summary>
    private Task Queue<T>(
        IEnumerable<T> facts,
        Func<T, string> idOf,
        Func<T, long> versionOf,
        IReadOnlyDictionary<string, T> stored,
        Func<LedgerBatch, Dictionary<string, T>> part)
    {
        LedgerBatch? awaited = null;
        foreach (var fact in facts)
        {
            var id = idOf(fact);
            if (stored.TryGetValue(id, out var known) && versionOf(known) >= versionOf(fact))
            {
                continue;
            }

            if (_commit.InFlight is { } writing && part(writing).TryGetValue(id, out var inFlight) && versionOf(inFlight) >= versionOf(fact))
            {
                awaited ??= writing;
                continue;
            }

            var batch = _commit.Pending;
            var pending = part(batch);
            if (!pending.TryGetValue(id, out var queued) || versionOf(queued) < versionOf(fact))
            {
                pending[id] = fact;
            }

            awaited = batch;
        }

        return _commit.WrittenWith(awaited);
    }

    /// <summary>Completes once the accident is stored; a repeat is ignored.</summary>
    public Task Apply(FatalAccident accident)
    {
        if (Stored.FatalAccidents.ContainsKey(accident.Id))
        {
            return Task.CompletedTask;
        }

        if (_commit.InFlight is { } writing && writing.Accidents.ContainsKey(accident.Id))
        {
            return _commit.WrittenWith(writing);
        }

        var pending = _commit.Pending;
        pending.Accidents.TryAdd(accident.Id, accident);
        return _commit.WrittenWith(pending);
    }

    /// <summary>A batch holds only facts newer than the stored ledger and the write before it, so
    /// it is simply laid over the stored ledger.</summary>
    private TownLedgerState Next(LedgerBatch batch) => Over(Stored, batch);

    private static TownLedgerState Over(TownLedgerState ledger, LedgerBatch batch) => ledger with
    {
        Hazards = ledger.Hazards.SetItems(batch.Hazards),
        FatalAccidents = ledger.FatalAccidents.SetItems(batch.Accidents),
        Tips = batch.Tips.Count == 0 ? ledger.Tips : ledger.TipsOrEmpty.SetItems(batch.Tips),
    };

    /// <summary>Stores the batch in the recent part, or, once that would hold more than an average
    /// part's share of the ledger, moves the recent facts and the batch into the parts they fall
    /// in. On failure the written parts' states are back to what was stored (a part that was
    /// written is in the store, and a fresh activation will read it) and the activation is retired.</summary>
    private async Task WriteAsync(LedgerBatch batch)
    {
        var recent = Over(_recent, batch);
        var next = Next(batch);
        if (Size(recent) <= Size(next) / _parts.Count)
        {
            await _recentPart.WriteOrRollBackAsync(recent, _grain);
            _recent = recent;
            return;
        }

        var touched = recent.Hazards.Keys.Concat(recent.TipsOrEmpty.Keys).Select(PartOf).Concat(recent.FatalAccidents.Count > 0 ? [0] : Array.Empty<int>()).Distinct();
        await Task.WhenAll(touched.Select(part => _parts[part].WriteOrRollBackAsync(PartState(next, part), _grain)));
        _recent = new();
    }

    private static int Size(TownLedgerState ledger) => ledger.Hazards.Count + ledger.FatalAccidents.Count + ledger.TipsOrEmpty.Count;

    private int PartOf(string hazardId) => StateParts.Of(hazardId, _parts.Count);

    private TownLedgerState PartState(TownLedgerState ledger, int part) => new()
    {
        Hazards = ledger.Hazards.Where(h => PartOf(h.Key) == part).ToImmutableDictionary(StringComparer.Ordinal),
        FatalAccidents = part == 0 ? ledger.FatalAccidents : ImmutableDictionary<string, FatalAccident>.Empty,
        Tips = ledger.Tips is null ? null : ledger.Tips.Where(t => PartOf(t.Key) == part).ToImmutableDictionary(StringComparer.Ordinal),
    };

    /// <summary>The whole ledger from its parts and the recent part; a hazard or tip found in two
    /// (written before the ledger was split, or moved out of the recent part) counts at its newest version.</summary>
    private static TownLedgerState Merge(IEnumerable<TownLedgerState> parts)
    {
        var hazards = ImmutableDictionary.CreateBuilder<string, HazardFacts>(StringComparer.Ordinal);
        var accidents = ImmutableDictionary.CreateBuilder<string, FatalAccident>(StringComparer.Ordinal);
        var tips = ImmutableDictionary.CreateBuilder<string, TipFacts>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            foreach (var (id, facts) in part.TipsOrEmpty)
            {
                if (!tips.TryGetValue(id, out var known) || known.Version < facts.Version)
                {
                    tips[id] = facts;
                }
            }

            foreach (var (id, facts) in part.Hazards)
            {
                if (!hazards.TryGetValue(id, out var known) || known.Version < facts.Version)
                {
                    hazards[id] = facts;
                }
            }

            accidents.AddRange(part.FatalAccidents.Where(a => !accidents.ContainsKey(a.Key)));
        }

        return new TownLedgerState { Hazards = hazards.ToImmutable(), FatalAccidents = accidents.ToImmutable(), Tips = tips.Count == 0 ? null : tips.ToImmutable() };
    }

    /// <summary>Facts gathered for one ledger write.</summary>
    private sealed class LedgerBatch
    {
        public Dictionary<string, HazardFacts> Hazards { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, FatalAccident> Accidents { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, TipFacts> Tips { get; } = new(StringComparer.Ordinal);
    }
}
