using Google.Protobuf.WellKnownTypes;
using HazardGrid.Api.V1;
using HazardGrid.Common;
using Domain = HazardGrid.Statistics;

namespace HazardGrid.Gateway.Services;

/// <summary>Translations for the statistics, ranking and campaign calls (kept apart from
/// <see cref="ApiMapper"/>, which maps the live status and the hazards).</summary>
public static class StatisticsMapper
{
    /// <summary>The request's period as instants; a refusal names the field inside <paramref name="field"/>.</summary>
    public static Domain.StatisticsPeriod ToDomain(Api.V1.StatisticsPeriod? period, string field = "period") => period?.KindCase switch
    {
        Api.V1.StatisticsPeriod.KindOneofCase.Month => Domain.StatisticsPeriod.Month(period.Month.Year, period.Month.Month, $"{field}.month"),
        Api.V1.StatisticsPeriod.KindOneofCase.Quarter => Domain.StatisticsPeriod.Quarter(period.Quarter.Year, period.Quarter.Quarter, $"{field}.quarter"),
        Api.V1.StatisticsPeriod.KindOneofCase.Year => Domain.StatisticsPeriod.Year(period.Year, $"{field}.year"),
        Api.V1.StatisticsPeriod.KindOneofCase.DateRange => Domain.StatisticsPeriod.Dates(
            ToDomain(period.DateRange.StartDate, $"{field}.date_range.start_date"),
            ToDomain(period.DateRange.EndDate, $"{field}.date_range.end_date"),
            $"{field}.date_range"),
        _ => throw DomainException.Invalid(field, "is required: one of month, quarter, year or date_range"),
    };

    private static DateOnly ToDomain(CalendarDate? date, string field) => date is null
        ? throw DomainException.Invalid(field, "is required")
        : Domain.StatisticsPeriod.Date(date.Year, date.Month, date.Day, field);

    public static Domain.RankingKey ToDomain(RankingKey key) => key switch
    {
        RankingKey.Unspecified => throw DomainException.Invalid("key", "is required: a ranking key"),
        RankingKey.OverdueShare => Domain.RankingKey.OverdueShare,
        RankingKey.ClosureRate => Domain.RankingKey.ClosureRate,
        RankingKey.Open => Domain.RankingKey.Open,
        _ => throw DomainException.Invalid("key", $"{(int)key} is not a known ranking key"),
    };

    /// <summary>Unset is a month: the monthly dispatch is the campaign's rhythm (001 §三(四)).</summary>
    public static Domain.PeriodKind ToDomain(PeriodKind kind) => kind switch
    {
        PeriodKind.Unspecified or PeriodKind.Month => Domain.PeriodKind.Month,
        PeriodKind.Quarter => Domain.PeriodKind.Quarter,
        PeriodKind.Year => Domain.PeriodKind.Year,
        _ => throw DomainException.Invalid("increment_period", $"{(int)kind} is not a known period kind"),
    };

    public static RankingKey ToApi(Domain.RankingKey key) => (RankingKey)(int)key;

    public static PeriodKind ToApi(Domain.PeriodKind kind) => (PeriodKind)(int)kind;

    public static RegionStatistics ToApi(Domain.RegionStatisticsReport report, Api.V1.StatisticsPeriod requested)
    {
        var result = new RegionStatistics
        {
            Name = ResourceNames.Region(report.Region.Code),
            DisplayName = report.Region.Name,
            Level = ApiMapper.ToApi(report.Region.Level),
            Period = requested,
            StartTime = Timestamp.FromDateTimeOffset(report.Period.Start),
            EndTime = Timestamp.FromDateTimeOffset(report.Period.End),
            AsOf = Timestamp.FromDateTimeOffset(report.Until),
            Complete = report.Until == report.Period.End,
            Figures = ToApi(report.Statistics.Total),
        };
        result.BySector.AddRange(report.Statistics.BySector.Select(s => new Api.V1.SectorPeriodFigures { Sector = ApiMapper.ToApi(s.Sector), Figures = ToApi(s.Figures) }));
        result.ByChannel.AddRange(report.Statistics.ByChannel.Select(c => new Api.V1.ChannelPeriodFigures
        {
            Channel = c.Channel is { } channel ? ApiMapper.ToApi(channel) : ReportChannel.Unspecified,
            Figures = ToApi(c.Figures),
        }));
        return result;
    }

    public static Api.V1.PeriodFigures ToApi(Domain.PeriodFigures f)
    {
        var c = f.Counts;
        var result = new Api.V1.PeriodFigures
        {
            Found = c.Found,
            Closed = c.Closed,
            ClosedOnTime = c.ClosedOnTime,
            ClosedLate = c.ClosedLate,
            OpenAtEnd = c.OpenAtEnd,
            OverdueAtEnd = c.OverdueAtEnd,
            ClosureRate = f.ClosureRate,
            MedianDaysToClose = f.MedianDaysToClose,
            P90DaysToClose = f.P90DaysToClose,
            WarningLetters = c.WarningLetters,
            Circulars = c.Circulars,
            Summons = c.Summons,
            Exposures = c.Exposures,
            Investigations = c.Investigations,
        };
        result.DaysToClose.AddRange(f.DaysToClose.Buckets.Select(b => new DaysToCloseCount { Days = b.Days, Count = b.Count }));
        return result;
    }

    public static ListRegionRankingResponse ToApi(Domain.RegionRanking ranking)
    {
        var result = new ListRegionRankingResponse
        {
            Parent = ResourceNames.Region(ranking.Parent.Code),
            Key = ToApi(ranking.Key),
            BestFirst = ranking.BestFirst,
            AsOf = Timestamp.FromDateTimeOffset(ranking.AsOf),
        };
        result.Entries.AddRange(ranking.Entries.Select(e => new RankingEntry
        {
            Rank = e.Rank,
            Name = ResourceNames.Region(e.Region.Code),
            DisplayName = e.Region.Name,
            Value = e.Value,
            Open = e.Open,
            Overdue = e.Overdue,
            ClosedThisMonth = e.ClosedThisMonth,
        }));
        return result;
    }

    public static CampaignProgress ToApi(Domain.CampaignProgress progress, bool includeChildren)
    {
        var result = ToApi(progress.Region, progress.Query, progress.Figures);
        if (includeChildren)
        {
            result.Children.AddRange(progress.Children.Select(c => ToApi(c.Region, progress.Query, c.Figures)));
        }

        return result;
    }

    private static CampaignProgress ToApi(Regions.Region region, Domain.CampaignQuery query, Domain.CampaignFigures f) => new()
    {
        Name = ResourceNames.Region(region.Code),
        DisplayName = region.Name,
        Level = ApiMapper.ToApi(region.Level),
        CampaignStart = Timestamp.FromDateTimeOffset(query.CampaignStart),
        AsOf = Timestamp.FromDateTimeOffset(query.AsOf),
        Stock = new StockClearance
        {
            Stock = f.Stock,
            Closed = f.StockClosed,
            Open = f.StockOpen,
            ClearedShare = f.StockClearedShare,
            Cleared = f.StockOpen == 0,
        },
        Increment = new IncrementCurb
        {
            PeriodKind = ToApi(query.Kind),
            CurrentStartTime = Timestamp.FromDateTimeOffset(query.Current.Start),
            CurrentEndTime = Timestamp.FromDateTimeOffset(query.Current.End),
            PreviousStartTime = Timestamp.FromDateTimeOffset(query.Previous.Start),
            FoundCurrent = f.FoundInCurrent,
            FoundPrevious = f.FoundInPrevious,
            Change = f.FoundInCurrent - f.FoundInPrevious,
        },
        DynamicZero = new DynamicZero { Overdue = f.OverdueNow, Achieved = f.OverdueNow == 0 },
    };
}
