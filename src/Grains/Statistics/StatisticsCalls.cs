using System.Globalization;
using HazardGrid.Common;

namespace HazardGrid.Statistics;

/// <summary>What the town and rollup grains share when a statistics call reaches them first.</summary>
internal static class StatisticsCalls
{
    /// <summary>Where a count over <paramref name="period"/> stops at <paramref name="now"/>. A period
    /// that has not begun has nothing to count and no end to measure at: refused.</summary>
    public static DateTimeOffset Until(StatisticsPeriod period, DateTimeOffset now) =>
        period.Start > now
            ? throw DomainException.Invalid("period", $"starts {ChinaTime.ToChina(period.Start).ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture)}, after now")
            : period.CountedUntil(now);
}
