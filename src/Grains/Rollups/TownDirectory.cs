using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Queries;

namespace HazardGrid.Rollups;

/// <summary>The persisted enterprise directory of a town (one of its parts), by credit code.</summary>
[GenerateSerializer, Alias("hg.TownDirectoryState")]
public sealed record TownDirectoryState
{
    [Id(0)] public ImmutableDictionary<string, DirectoryEntry> Enterprises { get; init; } = ImmutableDictionary<string, DirectoryEntry>.Empty;
}

/// <summary>
/// The enterprises of a town, durably: the enterprise grain announces itself here when it
/// registers (and tells the town it left when it moves), so a region's enterprise list knows
/// enterprises that have no hazard. Stored in parts by a stable hash of the credit code and
/// group-committed like <see cref="TownLedger"/>: a bulk load of a county's register costs each
/// town a few writes of the parts touched, not a write of the whole directory per enterprise.
/// </summary>
internal sealed class TownDirectory
{
    private readonly IReadOnlyList<IPersistentState<TownDirectoryState>> _parts;
    private readonly Grain _grain;
    private readonly GroupCommit<DirectoryBatch> _commit;

    public TownDirectory(IReadOnlyList<IPersistentState<TownDirectoryState>> parts, Grain grain)
    {
        _parts = parts;
        _grain = grain;
        _commit = new GroupCommit<DirectoryBatch>(WriteAsync, batch => Stored = Next(batch));
    }

    /// <summary>The directory as stored, sorted by credit code (ordinal) for keyset paging.</summary>
    public ImmutableSortedDictionary<string, DirectoryEntry> Stored { get; private set; } =
        ImmutableSortedDictionary.Create<string, DirectoryEntry>(StringComparer.Ordinal);

    public void Load() =>
        Stored = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, _parts.SelectMany(p => p.State.Enterprises));

    /// <summary>Completes once the entry is stored; one equal to the stored entry costs nothing.</summary>
    public Task Announce(DirectoryEntry entry) => Change(entry.CreditCode, entry);

    /// <summary>Completes once the enterprise is gone from the stored directory.</summary>
    public Task Forget(string creditCode) => Change(creditCode, null);

    private Task Change(string creditCode, DirectoryEntry? entry)
    {
        // Nothing to write when the stored entry is already this one and no write on the way changes it.
        if (Same(Stored.GetValueOrDefault(creditCode), entry)
            && _commit.InFlight?.Changes.ContainsKey(creditCode) != true
            && _commit.Waiting?.Changes.ContainsKey(creditCode) != true)
        {
            return Task.CompletedTask;
        }

        // The latest change of an enterprise wins: the enterprise grain calls one at a time.
        var pending = _commit.Pending;
        pending.Changes[creditCode] = entry;
        return _commit.WrittenWith(pending);
    }

    private static bool Same(DirectoryEntry? a, DirectoryEntry? b) =>
        a is null ? b is null : b is not null && a.Name == b.Name && a.Sectors.SequenceEqual(b.Sectors);

    private ImmutableSortedDictionary<string, DirectoryEntry> Next(DirectoryBatch batch)
    {
        var next = Stored.ToBuilder();
        foreach (var (code, entry) in batch.Changes)
        {
            if (entry is null)
            {
                next.Remove(code);
            }
            else
            {
                next[code] = entry;
            }
        }

        return next.ToImmutable();
    }

    private Task WriteAsync(DirectoryBatch batch)
    {
        var next = Next(batch);
        var touched = batch.Changes.Keys.Select(PartOf).Distinct();
        return Task.WhenAll(touched.Select(part => _parts[part].WriteOrRollBackAsync(
            new TownDirectoryState { Enterprises = next.Where(e => PartOf(e.Key) == part).ToImmutableDictionary(StringComparer.Ordinal) }, _grain)));
    }

    private int PartOf(string creditCode) => StateParts.Of(creditCode, _parts.Count);

    /// <summary>Directory changes gathered for one write; null removes.</summary>
    private sealed class DirectoryBatch
    {
        public Dictionary<string, DirectoryEntry?> Changes { get; } = new(StringComparer.Ordinal);
    }
}
