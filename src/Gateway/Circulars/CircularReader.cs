using System.Globalization;
using System.Text.RegularExpressions;
using HazardGrid.Circulars;
using HazardGrid.Common;
using HazardGrid.Regions;
using HazardGrid.Rollups;
using HazardGrid.Statistics;

namespace HazardGrid.Gateway.Circulars;

/// <summary>
/// Reads a region's monthly circular from the region grains. The statistics come from the very
/// call GetRegionStatistics makes, so the circular's figures equal that API's by construction;
/// the children and the lists are then counted at the instant that call stopped counting, so they
/// agree with the figures even for the running month.
/// </summary>
public sealed partial class CircularReader(IGrainFactory grains, RegionCatalog regions)
{
    /// <summary><c>YYYY-MM</c> → the China calendar month, refused naming <c>month</c>.</summary>
    public static StatisticsPeriod ParseMonth(string? month)
    {
        var match = MonthPattern().Match(month ?? string.Empty);
        if (!match.Success)
        {
            throw DomainException.Invalid("month", string.IsNullOrEmpty(month) ? "is required: YYYY-MM, e.g. 2026-10" : $"'{month}' is not a month: YYYY-MM, e.g. 2026-10");
        }

        var (year, number) = (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
        if (year is < StatisticsPeriod.FirstYear or > StatisticsPeriod.LastYear || number is < 1 or > 12)
        {
            throw DomainException.Invalid("month", $"'{month}' is not a month from {StatisticsPeriod.FirstYear}-01 to {StatisticsPeriod.LastYear}-12");
        }

        return StatisticsPeriod.Month(year, number, "month");
    }

    /// <summary>The circular of <paramref name="region"/>; for a sector office (<paramref name="sectors"/>)
    /// every part is counted over its sectors only.</summary>
    public async Task<MonthlyCircular> Read(Region region, StatisticsPeriod month, Sectors.SectorScope? sectors = null)
    {
        RegionStatisticsReport statistics;
        try
        {
            statistics = await grains.GetRegionGrain(region).GetStatistics(month, sectors);
        }
        catch (DomainException refused) when (refused.Field == "period")
        {
            // A month that has not begun: the request names it `month`, not `period`.
            throw DomainException.Invalid("month", refused.Reason);
        }

        var children = await Task.WhenAll(regions.ChildrenOf(region.Code).Select(regions.Get).Select(async child =>
            (child, await grains.GetRegionGrain(child).CountStatistics(month, statistics.Until, sectors))));
        var items = await grains.GetRegionGrain(region).ListCircularItems(month, statistics.Until, sectors);
        return MonthlyCircular.Assemble(statistics, children, items);
    }

    [GeneratedRegex(@"^([0-9]{4})-([0-9]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex MonthPattern();
}
