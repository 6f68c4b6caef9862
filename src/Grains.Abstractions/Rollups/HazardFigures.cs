using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Hazards;

namespace HazardGrid.Rollups;

/// <summary>One sector's share of a region's or enterprise's figures.</summary>
[GenerateSerializer, Immutable, Alias("hg.SectorFigures")]
public sealed record SectorFigures(Sector Sector, int Open, int Overdue, int Closed);

/// <summary>
/// The status figures of a set of hazards (an enterprise's, a town's, or everything under a
/// region) at one instant. Figures add: a region's figures are the sum of its children's.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.HazardFigures")]
public sealed record HazardFigures(
    int Registered,
    int Rectifying,
    int AwaitingVerification,
    int Closed,
    int Withdrawn,
    int Invalid,
    int Overdue,
    int ClosedThisMonth,
    int OpenStock,
    int OpenIncrement,
    int ClosedStock,
    int ClosedIncrement,
    ImmutableArray<SectorFigures> BySector)
{
    public static readonly HazardFigures Zero = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, []);

    public int Open => Registered + Rectifying + AwaitingVerification;

    /// <summary>Counts a set of hazards as they stand at <paramref name="now"/>.</summary>
    public static HazardFigures Count(IEnumerable<HazardFacts> hazards, DateTimeOffset now)
    {
        int registered = 0, rectifying = 0, awaiting = 0, closed = 0, withdrawn = 0, invalid = 0;
        int overdue = 0, closedThisMonth = 0, openStock = 0, openIncrement = 0, closedStock = 0, closedIncrement = 0;
        var sectors = new SortedDictionary<Sector, (int Open, int Overdue, int Closed)>();
        foreach (var h in hazards)
        {
            var stock = ChinaTime.IsStock(h.FoundAt);
            var sector = sectors.GetValueOrDefault(h.Sector);
            switch (h.Status)
            {
                case HazardStatus.Registered or HazardStatus.Rectifying or HazardStatus.AwaitingVerification:
                    registered += h.Status == HazardStatus.Registered ? 1 : 0;
                    rectifying += h.Status == HazardStatus.Rectifying ? 1 : 0;
                    awaiting += h.Status == HazardStatus.AwaitingVerification ? 1 : 0;
                    var isOverdue = h.IsOverdueAt(now) ? 1 : 0;
                    overdue += isOverdue;
                    openStock += stock ? 1 : 0;
                    openIncrement += stock ? 0 : 1;
                    sector = (sector.Open + 1, sector.Overdue + isOverdue, sector.Closed);
                    break;
                case HazardStatus.Closed:
                    closed++;
                    closedThisMonth += h.ClosedAt is { } at && ChinaTime.SameMonth(at, now) ? 1 : 0;
                    closedStock += stock ? 1 : 0;
                    closedIncrement += stock ? 0 : 1;
                    sector = (sector.Open, sector.Overdue, sector.Closed + 1);
                    break;
                case HazardStatus.Withdrawn:
                    withdrawn++;
                    continue;
                case HazardStatus.Invalid:
                    invalid++;
                    continue;
            }

            sectors[h.Sector] = sector;
        }

        return new HazardFigures(
            registered, rectifying, awaiting, closed, withdrawn, invalid, overdue, closedThisMonth,
            openStock, openIncrement, closedStock, closedIncrement,
            [.. sectors.Select(s => new SectorFigures(s.Key, s.Value.Open, s.Value.Overdue, s.Value.Closed))]);
    }

    /// <summary>
    /// The next instant after <paramref name="now"/> at which these hazards' figures change by the
    /// clock alone: a rectification deadline passing, or a new month resetting "closed this month".
    /// </summary>
    public static DateTimeOffset? NextChange(IEnumerable<HazardFacts> hazards, DateTimeOffset now)
    {
        DateTimeOffset? next = null;
        foreach (var h in hazards)
        {
            DateTimeOffset? candidate = h switch
            {
                { Status: HazardStatus.Rectifying, Deadline: { } d } when d >= now => d.AddTicks(1),
                { Status: HazardStatus.Closed, ClosedAt: { } c } when ChinaTime.SameMonth(c, now) => ChinaTime.StartOfNextMonth(now),
                _ => null,
            };
            if (candidate is { } c2 && (next is null || c2 < next))
            {
                next = c2;
            }
        }

        return next;
    }

    /// <summary>Adds figures (a parent region's figures are the sum of its children's).</summary>
    public static HazardFigures Sum(IEnumerable<HazardFigures> parts)
    {
        var total = Zero;
        var sectors = new SortedDictionary<Sector, SectorFigures>();
        foreach (var p in parts)
        {
            total = total with
            {
                Registered = total.Registered + p.Registered,
                Rectifying = total.Rectifying + p.Rectifying,
                AwaitingVerification = total.AwaitingVerification + p.AwaitingVerification,
                Closed = total.Closed + p.Closed,
                Withdrawn = total.Withdrawn + p.Withdrawn,
                Invalid = total.Invalid + p.Invalid,
                Overdue = total.Overdue + p.Overdue,
                ClosedThisMonth = total.ClosedThisMonth + p.ClosedThisMonth,
                OpenStock = total.OpenStock + p.OpenStock,
                OpenIncrement = total.OpenIncrement + p.OpenIncrement,
                ClosedStock = total.ClosedStock + p.ClosedStock,
                ClosedIncrement = total.ClosedIncrement + p.ClosedIncrement,
            };
            foreach (var s in p.BySector)
            {
                sectors[s.Sector] = sectors.TryGetValue(s.Sector, out var have)
                    ? new SectorFigures(s.Sector, have.Open + s.Open, have.Overdue + s.Overdue, have.Closed + s.Closed)
                    : s;
            }
        }

        return total with { BySector = [.. sectors.Values] };
    }

    /// <summary>Value equality including the sector breakdown (arrays compare by reference otherwise).</summary>
    public bool Equals(HazardFigures? other) =>
        other is not null
        && Registered == other.Registered && Rectifying == other.Rectifying
        && AwaitingVerification == other.AwaitingVerification && Closed == other.Closed
        && Withdrawn == other.Withdrawn && Invalid == other.Invalid && Overdue == other.Overdue
        && ClosedThisMonth == other.ClosedThisMonth && OpenStock == other.OpenStock
        && OpenIncrement == other.OpenIncrement && ClosedStock == other.ClosedStock
        && ClosedIncrement == other.ClosedIncrement
        && BySector.AsSpan().SequenceEqual(other.BySector.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Registered, Rectifying, AwaitingVerification, Closed, Overdue, ClosedThisMonth);
}
