using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Regions;
using HazardGrid.Rollups;
using Microsoft.Extensions.Logging;

namespace HazardGrid.Queries;

/// <summary>
/// A city's hazard index (see <see cref="IHazardIndexGrain"/>), keyed by the city's code. Nothing
/// is stored: the towns' ledgers are the record, and an activation rebuilds from them under a new
/// <see cref="_epoch"/>, which makes the listings begun on the previous activation start again
/// rather than risk a hazard twice or never.
/// <para>Snapshots: every version the index takes gets the next number of <see cref="_sequence"/>.
/// A listing's snapshot is the sequence when it began; a hazard belongs to it at the latest version
/// numbered at or below it (none: reported since, not in the listing). The current versions are
/// kept ordered in every order; versions replaced since a snapshot are found through
/// <see cref="_changes"/> and read from the hazard's previous versions, which are kept for
/// <see cref="Retention"/> after they were replaced.</para>
/// </summary>
public sealed class HazardIndexGrain(RegionCatalog regions, ILogger<HazardIndexGrain> logger) : Grain, IHazardIndexGrain
{
    /// <summary>How long a listing may page over its snapshot; its page token is refused after that.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    /// <summary>How long a replaced version is kept: the lifetime, plus a margin for the clocks of
    /// the silos that stamp a listing's start and those that stamp a change.</summary>
    public static readonly TimeSpan Retention = Lifetime + TimeSpan.FromMinutes(5);

    private static readonly HazardCursor s_last = new(long.MaxValue, "\uffff");
    private static readonly HazardOrder[] s_orders = [HazardOrder.Name, HazardOrder.Deadline, HazardOrder.FoundTime];

    private readonly Dictionary<string, Held> _hazards = new(StringComparer.Ordinal);
    private readonly Dictionary<HazardOrder, SortedSet<HazardCursor>> _ordered = s_orders.ToDictionary(o => o, _ => new SortedSet<HazardCursor>());

    // Every version taken since activation, in sequence order, until it is older than Retention.
    private readonly Queue<(long Sequence, DateTime At, string HazardId)> _changes = new();
    private readonly HazardCellCounts _counts = new();
    private readonly CancellationTokenSource _deactivating = new();
    private Task _rebuilt = Task.CompletedTask;
    private long _epoch;
    private long _sequence;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _epoch = Random.Shared.NextInt64(1, long.MaxValue);
        var city = this.GetPrimaryKeyString();

        // Rebuilt after the activation, not inside it: a town hands its facts over from a timer
        // tick of its own, and a town that is deactivating waits for that tick. Were this
        // activation waiting for the town's stored facts, the two would wait on each other until
        // the call timed out. Facts handed over meanwhile are taken at once (Apply interleaves);
        // a listing waits for the rebuild.
        _rebuilt = Rebuild(regions.ChildrenOf(city).SelectMany(regions.ChildrenOf).ToList(), _deactivating.Token);

        // Kept active: a deactivation would rebuild under a new epoch and send every listing in
        // progress back to its first page. The prune tick keeps it alive (16 grains in all).
        this.RegisterGrainTimer(_ => Prune(), new GrainTimerCreationOptions(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deactivating.Cancel();
        return Task.CompletedTask;
    }

    private async Task Rebuild(IReadOnlyList<string> towns, CancellationToken cancellationToken) =>
        await Task.WhenAll(towns.Select(town => TakeStored(town, cancellationToken)));

    /// <summary>Takes a town's stored facts, asking again until the town answers: the index is
    /// complete only with every town in it.</summary>
    private Task TakeStored(string town, CancellationToken cancellationToken) =>
        AskAgain.UntilAnswered(async () =>
        {
            var stored = await GrainFactory.Reference<ITownGrain>(town).GetStoredHazardFacts();
            var now = DateTime.UtcNow;
            foreach (var facts in stored)
            {
                Take(facts, now);
            }
        }, logger, $"read the ledger of town {town} into the hazard index of city {this.GetPrimaryKeyString()}", cancellationToken);

    public Task Apply(ImmutableArray<HazardFacts> facts)
    {
        var now = DateTime.UtcNow;
        foreach (var fact in facts)
        {
            Take(fact, now);
        }

        return Task.CompletedTask;
    }

    public async Task<HazardIndexPage> List(HazardIndexQuery query)
    {
        await _rebuilt;
        var snapshot = query.Snapshot ?? new IndexSnapshot(this.GetPrimaryKeyString(), _epoch, _sequence);
        if (snapshot.Epoch != _epoch)
        {
            throw DomainException.Precondition("page_token", "the list index was rebuilt since this listing started (e.g. after a failure): start again without a page_token");
        }

        var at = snapshot.Sequence;
        bool Wanted(HazardFacts h) => InScope(h, query.Scope) && query.Filter.Matches(h, query.AsOf);

        // Hazards with a version newer than the snapshot: their place in the order is the one
        // their snapshot version gives, not the one the current version holds.
        var changed = ChangedSince(at);
        var moved = changed
            .Select(id => VersionAt(id, at))
            .OfType<HazardFacts>()
            .Where(Wanted)
            .Select(h => (Cursor: HazardSortKey.CursorOf(h, query.Order), Facts: h))
            .Where(x => query.After is null || x.Cursor.CompareTo(query.After) > 0)
            .OrderBy(x => x.Cursor)
            .ToList();

        var ordered = _ordered[query.Order];
        var from = query.After is null ? ordered : ordered.GetViewBetween(query.After, s_last);
        var unchanged = from
            .Where(c => (query.After is null || c.CompareTo(query.After) > 0) && !changed.Contains(c.HazardId))
            .Select(c => (Cursor: c, Facts: _hazards[c.HazardId].Facts))
            .Where(x => Wanted(x.Facts));

        var page = ImmutableArray.CreateBuilder<HazardFacts>(Math.Min(query.Limit, 1024));
        var more = false;
        using var a = unchanged.GetEnumerator();
        using var b = moved.GetEnumerator();
        var hasA = a.MoveNext();
        var hasB = b.MoveNext();
        while (hasA || hasB)
        {
            if (page.Count == query.Limit)
            {
                more = true;
                break;
            }

            if (hasA && (!hasB || a.Current.Cursor.CompareTo(b.Current.Cursor) < 0))
            {
                page.Add(a.Current.Facts);
                hasA = a.MoveNext();
            }
            else
            {
                page.Add(b.Current.Facts);
                hasB = b.MoveNext();
            }
        }

        var total = !query.CountTotal ? 0
            : at == _sequence && _counts.Count(query.Scope, query.Filter) is { } counted ? counted
            : _hazards.Keys.Select(id => VersionAt(id, at)).Count(h => h is not null && Wanted(h));
        return new HazardIndexPage(page.ToImmutable(), more, snapshot, total);
    }

    private static bool InScope(HazardFacts h, HazardListScope scope) =>
        (scope.RegionCode is not { } region || h.TownCode.StartsWith(region, StringComparison.Ordinal))
        && (scope.CreditCode is not { } code || h.CreditCode == code);

    /// <summary>Takes a newer version of a hazard; an older or equal one changes nothing.</summary>
    private void Take(HazardFacts facts, DateTime now)
    {
        _hazards.TryGetValue(facts.HazardId, out var current);
        if (current is not null && current.Facts.Version >= facts.Version)
        {
            return;
        }

        foreach (var order in s_orders)
        {
            if (current is not null)
            {
                _ordered[order].Remove(HazardSortKey.CursorOf(current.Facts, order));
            }

            _ordered[order].Add(HazardSortKey.CursorOf(facts, order));
        }

        if (current is not null)
        {
            _counts.Remove(current.Facts);
        }

        _counts.Add(facts);
        _sequence++;
        _hazards[facts.HazardId] = new Held(facts, _sequence, now, Trim(current, now, now));
        _changes.Enqueue((_sequence, now, facts.HazardId));
    }

    /// <summary>The hazard as of snapshot <paramref name="sequence"/>; null if it came later.</summary>
    private HazardFacts? VersionAt(string hazardId, long sequence)
    {
        for (var v = _hazards.GetValueOrDefault(hazardId); v is not null; v = v.Previous)
        {
            if (v.Sequence <= sequence)
            {
                return v.Facts;
            }
        }

        return null;
    }

    private HashSet<string> ChangedSince(long sequence) =>
        sequence == _sequence
            ? [] // a new listing: nothing is newer than now, and the queue of changes can be long
            : _changes.Where(c => c.Sequence > sequence).Select(c => c.HazardId).ToHashSet(StringComparer.Ordinal);

    /// <summary>Forgets changes and replaced versions no unexpired listing can read.</summary>
    private Task Prune()
    {
        var now = DateTime.UtcNow;
        while (_changes.TryPeek(out var oldest) && now - oldest.At > Retention)
        {
            _changes.Dequeue();
            if (_hazards.TryGetValue(oldest.HazardId, out var v))
            {
                _hazards[oldest.HazardId] = v with { Previous = Trim(v.Previous, v.At, now) };
            }
        }

        return Task.CompletedTask;
    }

    /// <summary><paramref name="version"/>, replaced at <paramref name="replacedAt"/>, and the versions
    /// before it, without those replaced longer than <see cref="Retention"/> ago.</summary>
    private static Held? Trim(Held? version, DateTime replacedAt, DateTime now)
    {
        // A version is read only by snapshots taken before its successor arrived; past the
        // retention no such snapshot is still valid.
        var kept = new List<Held>();
        for (var v = version; v is not null && now - replacedAt <= Retention; replacedAt = v.At, v = v.Previous)
        {
            kept.Add(v);
        }

        Held? chain = null;
        for (var i = kept.Count - 1; i >= 0; i--)
        {
            chain = kept[i] with { Previous = chain };
        }

        return chain;
    }

    /// <summary>A version of a hazard as the index took it, and the one it replaced.</summary>
    private sealed record Held(HazardFacts Facts, long Sequence, DateTime At, Held? Previous);
}
