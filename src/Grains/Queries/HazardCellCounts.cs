using HazardGrid.Enterprises;
using HazardGrid.Escalations;
using HazardGrid.Hazards;
using HazardGrid.Rollups;

namespace HazardGrid.Queries;

/// <summary>
/// How many of a city index's current hazards fall in each cell of county × status × sector ×
/// supervision level × stock/increment, kept as the index takes versions. A first page's
/// <c>total_size</c> is the number of hazards matching the filter at the listing's snapshot, which
/// for a new listing is now: when the filter and scope use only these dimensions (the common
/// lists: a state, a sector, a level, stock or increment, a city or county), the total is a sum of
/// a few hundred cells instead of a test of every hazard of the city.
/// </summary>
internal sealed class HazardCellCounts
{
    private readonly Dictionary<string, Dictionary<Cell, int>> _byCounty = new(StringComparer.Ordinal);

    public void Add(HazardFacts facts) => Change(facts, +1);

    public void Remove(HazardFacts facts) => Change(facts, -1);

    /// <summary>The number of current hazards in <paramref name="scope"/> matching
    /// <paramref name="filter"/>, or null when the filter or scope needs more than the cells hold
    /// (channels, overdue, date ranges, ladder steps; a town or an enterprise).</summary>
    public int? Count(HazardListScope scope, HazardFilter filter)
    {
        if (scope.CreditCode is not null || scope.RegionCode is { Length: > 6 }
            || !filter.Channels.IsDefaultOrEmpty || filter.Overdue is not null || filter.MinStep is not null
            || filter.FoundFrom is not null || filter.FoundBefore is not null || filter.DeadlineFrom is not null || filter.DeadlineBefore is not null
            || filter.ClosedWithin is not null)
        {
            return null;
        }

        var total = 0;
        foreach (var (county, cells) in _byCounty)
        {
            if (scope.RegionCode is { Length: 6 } wanted && county != wanted)
            {
                continue;
            }

            foreach (var (cell, count) in cells)
            {
                if ((filter.Statuses.IsDefaultOrEmpty || filter.Statuses.Contains(cell.Status))
                    && (filter.Sectors.IsDefaultOrEmpty || filter.Sectors.Contains(cell.Sector))
                    && (filter.Levels.IsDefaultOrEmpty || filter.Levels.Contains(cell.Level))
                    && (filter.Stock is not { } stock || cell.Stock == stock))
                {
                    total += count;
                }
            }
        }

        return total;
    }

    private void Change(HazardFacts facts, int by)
    {
        var county = facts.TownCode.Length >= 6 ? facts.TownCode[..6] : facts.TownCode;
        if (!_byCounty.TryGetValue(county, out var cells))
        {
            _byCounty[county] = cells = [];
        }

        var cell = new Cell(facts.Status, facts.Sector, facts.Level, facts.IsStock);
        var count = cells.GetValueOrDefault(cell) + by;
        if (count == 0)
        {
            cells.Remove(cell);
        }
        else
        {
            cells[cell] = count;
        }
    }

    private readonly record struct Cell(HazardStatus Status, Sector Sector, SupervisionLevel Level, bool Stock);
}
