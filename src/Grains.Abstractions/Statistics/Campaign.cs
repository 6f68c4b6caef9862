using HazardGrid.Common;
using HazardGrid.Hazards;
using HazardGrid.Regions;
using HazardGrid.Rollups;

namespace HazardGrid.Statistics;

/// <summary>
/// What a region's progress against the campaign's three targets (001 §一) is read from:
/// <list type="bullet">
/// <item>stock cleared (存量清零): the stock is every record found before the campaign start and
/// not closed before it, except records withdrawn or marked invalid (at any time: reported in
/// error, or not a major hazard); <see cref="StockClosed"/> of them are closed now and
/// <see cref="StockOpen"/> still open (the two add up to <see cref="Stock"/>);</item>
/// <item>increment curbed (增量遏制): hazards found in the current period so far and in the whole
/// period before it, counted as statistics count "found" (every record but invalid ones);</item>
/// <item>dynamic zero (动态清零): hazards overdue now (the live figure).</item>
/// </list>
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.CampaignFigures")]
public sealed record CampaignFigures(int Stock, int StockClosed, int StockOpen, int FoundInCurrent, int FoundInPrevious, int OverdueNow)
{
    public static CampaignFigures Zero => Additive<CampaignFigures>.Zero;

    /// <summary>Closed ÷ stock; 1 when there was no stock.</summary>
    public double StockClearedShare => Stock == 0 ? 1 : (double)StockClosed / Stock;

    public static CampaignFigures Sum(IEnumerable<CampaignFigures> parts) => parts.Aggregate(Zero, Additive<CampaignFigures>.Add);

    public static CampaignFigures Count(IEnumerable<HazardFacts> hazards, CampaignQuery query)
    {
        int stock = 0, stockClosed = 0, stockOpen = 0, current = 0, previous = 0, overdue = 0;
        foreach (var h in hazards)
        {
            if (h.Status == HazardStatus.Invalid)
            {
                continue;
            }

            if (h.Status != HazardStatus.Withdrawn && h.FoundAt < query.CampaignStart
                && !(h is { Status: HazardStatus.Closed, ClosedAt: { } closed } && closed < query.CampaignStart))
            {
                stock++;
                stockClosed += h.Status == HazardStatus.Closed ? 1 : 0;
                stockOpen += h.IsOpen ? 1 : 0;
            }

            current += query.Current.Contains(h.FoundAt) && h.FoundAt < query.AsOf ? 1 : 0;
            previous += query.Previous.Contains(h.FoundAt) ? 1 : 0;
            overdue += h.IsOverdueAt(query.AsOf) ? 1 : 0;
        }

        return new(stock, stockClosed, stockOpen, current, previous, overdue);
    }
}

/// <summary>What a region counts for <see cref="IRegionGrain.CountCampaign"/>: the same instants for every town of a call.</summary>
[GenerateSerializer, Immutable, Alias("hg.CampaignQuery")]
public sealed record CampaignQuery(DateTimeOffset CampaignStart, PeriodKind Kind, StatisticsPeriod Current, StatisticsPeriod Previous, DateTimeOffset AsOf)
{
    /// <summary>The query for a call at <paramref name="now"/>: the current period is the one containing now.</summary>
    public static CampaignQuery At(DateTimeOffset campaignStart, PeriodKind kind, DateTimeOffset now)
    {
        var current = StatisticsPeriod.Containing(kind, now);
        return new(campaignStart, kind, current, current.Previous(kind), now);
    }
}

/// <summary>A child region's campaign figures, for a parent's answer that lists them.</summary>
[GenerateSerializer, Immutable, Alias("hg.ChildCampaignFigures")]
public sealed record ChildCampaignFigures(Region Region, CampaignFigures Figures);

/// <summary>A region's progress against the campaign's targets at <see cref="CampaignQuery.AsOf"/>,
/// with its children's when it has any.</summary>
[GenerateSerializer, Immutable, Alias("hg.CampaignProgress")]
public sealed record CampaignProgress(Region Region, CampaignQuery Query, CampaignFigures Figures, EquatableArray<ChildCampaignFigures> Children);

/// <summary>A region's statistics for a period, counted up to <see cref="Until"/> (the period's
/// end, or the moment of the call while it runs).</summary>
[GenerateSerializer, Immutable, Alias("hg.RegionStatisticsReport")]
public sealed record RegionStatisticsReport(Region Region, StatisticsPeriod Period, DateTimeOffset Until, RegionStatistics Statistics);
