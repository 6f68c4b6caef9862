namespace HazardGrid.Common;

/// <summary>
/// Calendar rules in China Standard Time (UTC+8, no daylight saving): "this month", and the
/// stock/increment cut-off of the three-year campaign (found before 2024-01-01 is stock).
/// </summary>
public static class ChinaTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    /// <summary>Hazards found before this instant are stock (存量); later ones are increment (增量).</summary>
    public static readonly DateTimeOffset StockCutoff = new(2024, 1, 1, 0, 0, 0, Offset);

    public static DateTimeOffset ToChina(DateTimeOffset instant) => instant.ToOffset(Offset);

    public static bool SameMonth(DateTimeOffset a, DateTimeOffset b)
    {
        var (x, y) = (ToChina(a), ToChina(b));
        return x.Year == y.Year && x.Month == y.Month;
    }

    public static bool SameYear(DateTimeOffset a, DateTimeOffset b) => ToChina(a).Year == ToChina(b).Year;

    public static DateTimeOffset StartOfNextYear(DateTimeOffset instant) => new(ToChina(instant).Year + 1, 1, 1, 0, 0, 0, Offset);

    public static DateTimeOffset StartOfNextMonth(DateTimeOffset instant)
    {
        var local = ToChina(instant);
        return new DateTimeOffset(local.Year, local.Month, 1, 0, 0, 0, Offset).AddMonths(1);
    }

    public static bool IsStock(DateTimeOffset foundAt) => foundAt < StockCutoff;
}
