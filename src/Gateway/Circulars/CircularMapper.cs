using Google.Protobuf.WellKnownTypes;
using HazardGrid.Api.V1;
using HazardGrid.Gateway.Services;
using HazardGrid.Regions;
using HazardGrid.Rollups;
using Domain = HazardGrid.Circulars;

namespace HazardGrid.Gateway.Circulars;

/// <summary>The monthly circular in the API's terms; the documents are rendered from this message,
/// so the HTML, CSV and PDF hold exactly what GetMonthlyCircular answers.</summary>
public static class CircularMapper
{
    public static MonthlyCircular ToApi(Domain.MonthlyCircular circular, string month, RegionCatalog regions)
    {
        var requested = new Api.V1.StatisticsPeriod { Month = new YearMonth { Year = ChinaYear(circular), Month = ChinaMonth(circular) } };
        var result = new MonthlyCircular
        {
            Name = ResourceNames.Region(circular.Region.Code),
            DisplayName = circular.Region.Name,
            Level = ApiMapper.ToApi(circular.Region.Level),
            Month = month,
            Statistics = StatisticsMapper.ToApi(circular.Statistics, requested),
            Deaths = circular.FatalAccidents.Sum(a => a.Accident.Deaths),
        };
        result.Ranking.AddRange(circular.Children.Select(c => new CircularRankingEntry
        {
            Rank = c.Rank,
            Name = ResourceNames.Region(c.Region.Code),
            DisplayName = c.Region.Name,
            OverdueShare = c.OverdueShare,
            Figures = StatisticsMapper.ToApi(c.Figures),
        }));
        var until = circular.Statistics.Until;
        result.OverdueHazards.AddRange(circular.OverdueHazards.Select(h => ToApi(h, until, regions)));
        result.EscalatedHazards.AddRange(circular.EscalatedHazards.Select(h => ToApi(h, until, regions)));
        result.Steps.AddRange(circular.Steps.Select(s => new CircularStep
        {
            Hazard = ResourceNames.Hazard(s.Hazard.HazardId),
            EnterpriseDisplayName = s.Hazard.EnterpriseName ?? string.Empty,
            Town = ResourceNames.Region(s.Hazard.TownCode),
            TownDisplayName = TownName(s.Hazard.TownCode, regions),
            Step = ApiMapper.ToApi(s.Step.Step),
            DueTime = Timestamp.FromDateTimeOffset(s.Step.DueAt),
            FireTime = Timestamp.FromDateTimeOffset(s.Step.FiredAt),
        }));
        result.FatalAccidents.AddRange(circular.FatalAccidents.Select(a => new CircularFatalAccident
        {
            Enterprise = ResourceNames.Enterprise(a.Accident.CreditCode),
            EnterpriseDisplayName = a.EnterpriseName ?? string.Empty,
            TownDisplayName = TownName(a.Accident.TownCode, regions),
            Accident = ApiMapper.ToApi(a.Accident),
        }));
        return result;
    }

    private static CircularHazard ToApi(HazardFacts h, DateTimeOffset until, RegionCatalog regions)
    {
        var result = new CircularHazard
        {
            Name = ResourceNames.Hazard(h.HazardId),
            Enterprise = ResourceNames.Enterprise(h.CreditCode),
            EnterpriseDisplayName = h.EnterpriseName ?? string.Empty,
            Town = ResourceNames.Region(h.TownCode),
            TownDisplayName = TownName(h.TownCode, regions),
            Sector = ApiMapper.ToApi(h.Sector),
            Criterion = h.Criterion ?? string.Empty,
            Location = h.Location ?? string.Empty,
            FoundTime = Timestamp.FromDateTimeOffset(h.FoundAt),
            Deadline = h.Deadline is { } deadline ? Timestamp.FromDateTimeOffset(deadline) : null,
            State = ApiMapper.ToApi(h.Status),
            SupervisionLevel = ApiMapper.ToApi(h.Level),
        };

        // Steps after the circular's as_of are not part of it (a past month's circular read later).
        result.Steps.AddRange((h.Escalations.IsDefault ? [] : h.Escalations).Where(e => e.FiredAt < until).OrderBy(e => e.FiredAt).Select(e => new Escalation
        {
            Step = ApiMapper.ToApi(e.Step),
            DueTime = Timestamp.FromDateTimeOffset(e.DueAt),
            FireTime = Timestamp.FromDateTimeOffset(e.FiredAt),
            Trigger = ApiMapper.ToApiTrigger(e.Trigger),
        }));
        return result;
    }

    private static string TownName(string code, RegionCatalog regions) => regions.TryGet(code, out var town) ? town.Name : code;

    private static int ChinaYear(Domain.MonthlyCircular c) => Common.ChinaTime.ToChina(c.Month.Start).Year;

    private static int ChinaMonth(Domain.MonthlyCircular c) => Common.ChinaTime.ToChina(c.Month.Start).Month;
}
