using System.Collections.Immutable;

namespace HazardGrid.Queries;

/// <summary>A source's page: items in order after a key, and whether more follow.</summary>
internal delegate Task<(ImmutableArray<T> Items, bool More)> PageSource<T, TKey>(TKey? after, int limit);

/// <summary>
/// Merges ordered sources (cities' indexes, towns' directories) into one page, asking each only
/// for what the page can use: first a share of the page each (a little more than an even share),
/// then, only for a source whose share ran out while it has more, as many as the page still needs
/// after the last item it gave. A page of n from k sources costs about k calls and a little over n
/// items when the items are spread evenly, and at most 2k calls however they are spread.
/// </summary>
internal static class KWayMerge
{
    public static async Task<(ImmutableArray<T> Items, bool More)> Take<T, TKey>(
        IReadOnlyList<PageSource<T, TKey>> sources, TKey? after, int limit, Func<T, TKey> keyOf, IComparer<TKey> comparer)
        where TKey : class
    {
        var k = sources.Count;
        var buffers = Enumerable.Range(0, k).Select(_ => new Queue<T>()).ToArray();
        var more = new bool[k];
        var last = Enumerable.Repeat(after, k).ToArray();

        async Task Fetch(int i, int count)
        {
            var (items, hasMore) = await sources[i](last[i], count);
            foreach (var item in items)
            {
                buffers[i].Enqueue(item);
            }

            if (items.Length > 0)
            {
                last[i] = keyOf(items[^1]);
            }

            more[i] = hasMore;
        }

        var share = k == 1 ? limit : Math.Min(limit, (limit * 3 / 2 / k) + 1);
        await Task.WhenAll(Enumerable.Range(0, k).Select(i => Fetch(i, share)));

        var page = ImmutableArray.CreateBuilder<T>(limit);
        while (page.Count < limit)
        {
            // A source that ran out but has more may hold the next item: ask it first.
            var empty = Enumerable.Range(0, k).Where(i => buffers[i].Count == 0 && more[i]).ToList();
            if (empty.Count > 0)
            {
                var needed = limit - page.Count;
                await Task.WhenAll(empty.Select(i => Fetch(i, needed)));
            }

            var next = -1;
            for (var i = 0; i < k; i++)
            {
                if (buffers[i].Count > 0 && (next < 0 || comparer.Compare(keyOf(buffers[i].Peek()), keyOf(buffers[next].Peek())) < 0))
                {
                    next = i;
                }
            }

            if (next < 0)
            {
                break;
            }

            page.Add(buffers[next].Dequeue());
        }

        return (page.ToImmutable(), Enumerable.Range(0, k).Any(i => buffers[i].Count > 0 || more[i]));
    }
}
