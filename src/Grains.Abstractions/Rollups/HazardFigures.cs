using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Escalations;
using HazardGrid.Hazards;
using HazardGrid.Accidents;
using HazardGrid.Tips;

namespace HazardGrid.Rollups;

/// <summary>One sector's share of a region's or enterprise's figures.</summary>
[GenerateSerializer, Immutable, Alias("hg.SectorFigures")]
public sealed record SectorFigures(Sector Sector, int Open, int Overdue, int Closed);

/// <summary>Escalation figures: open hazards by supervision level, ladder steps fired this month,
/// and the enterprises on the watch list; deadline warnings this month last (appended).</summary>
[GenerateSerializer, Immutable, Alias("hg.EscalationFigures")]
public sealed record EscalationFigures(
    int AtCountyLevel,
    int AtCityLevel,
    int AtProvinceLevel,
    int WarningLettersThisMonth,
    int CircularsThisMonth,
    int SummonsThisMonth,
    int ExposuresThisMonth,
    int InvestigationsThisMonth,
    int Exposed,
    int UnderInvestigation,
    int WatchListEnterprises,
    int DeadlineWarningsThisMonth = 0);

/// <summary>
/// The status figures of a set of hazards (an enterprise's, a town's, or everything under a
/// region) at one instant. Figures add: a region's figures are the sum of its children's.
/// <para>The tip figures (有奖举报) count the rewarded tips about the region's towns, all time:
/// received, verified (whatever came after), the rewards paid (兑现) in fen, and the tips still
/// awaiting verification past their due time. An enterprise's figures hold no tips.</para>
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
    EquatableArray<SectorFigures> BySector,
    EscalationFigures Escalations,
    int FatalAccidentsThisYear = 0,
    int DeathsThisYear = 0,
    int TipsReceived = 0,
    int TipsVerified = 0,
    long TipRewardsPaidFen = 0,
    int TipVerificationsOverdue = 0)
{
    /// <summary>No hazards. Like <see cref="Sum"/> and equality, it follows the members above by
    /// itself: a new figure is a new member here, counted in <see cref="Count"/>, and nothing else.</summary>
    public static HazardFigures Zero => Additive<HazardFigures>.Zero;

    public int Open => Registered + Rectifying + AwaitingVerification;

    /// <summary>The share of open hazards that are overdue (0 when none is open).</summary>
    public double OverdueShare => Open == 0 ? 0 : (double)Overdue / Open;

    /// <summary>Counts a set of hazards as they stand at <paramref name="now"/>. An enterprise is on
    /// the watch list with an exposed open hazard, more than <paramref name="watchListOverdueHazards"/>
    /// overdue ones, or a fatal accident this year (China time).</summary>
    public static HazardFigures Count(IEnumerable<HazardFacts> hazards, DateTimeOffset now, int watchListOverdueHazards = 3, IEnumerable<FatalAccident>? accidents = null, IEnumerable<TipFacts>? tips = null)
    {
        var tipList = tips as IReadOnlyCollection<TipFacts> ?? [.. tips ?? []];
        var thisYear = (accidents ?? []).Where(a => ChinaTime.SameYear(a.OccurredAt, now)).ToList();
        int registered = 0, rectifying = 0, awaiting = 0, closed = 0, withdrawn = 0, invalid = 0;
        int overdue = 0, closedThisMonth = 0, openStock = 0, openIncrement = 0, closedStock = 0, closedIncrement = 0;
        int county = 0, city = 0, province = 0, exposed = 0, investigated = 0;
        var fired = new int[Enum.GetValues<EscalationStep>().Max(s => (int)s) + 1];
        var sectors = new SortedDictionary<Sector, (int Open, int Overdue, int Closed)>();
        var enterprises = new Dictionary<string, (bool Exposed, int Overdue)>(StringComparer.Ordinal);
        foreach (var h in hazards)
        {
            if (!h.Escalations.IsDefault)
            {
                foreach (var e in h.Escalations.Where(e => ChinaTime.SameMonth(e.FiredAt, now)))
                {
                    fired[(int)e.Step]++;
                }
            }

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
                    county += h.Level == SupervisionLevel.County ? 1 : 0;
                    city += h.Level == SupervisionLevel.City ? 1 : 0;
                    province += h.Level == SupervisionLevel.Province ? 1 : 0;
                    var isExposed = h.Has(EscalationStep.PublicExposure);
                    exposed += isExposed ? 1 : 0;
                    investigated += h.Has(EscalationStep.AccidentInvestigation) ? 1 : 0;
                    var enterprise = enterprises.GetValueOrDefault(h.CreditCode);
                    enterprises[h.CreditCode] = (enterprise.Exposed || isExposed, enterprise.Overdue + isOverdue);
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

        var watched = enterprises
            .Where(e => e.Value.Exposed || e.Value.Overdue > watchListOverdueHazards)
            .Select(e => e.Key)
            .Union(thisYear.Select(a => a.CreditCode), StringComparer.Ordinal)
            .Count();
        return new HazardFigures(
            registered, rectifying, awaiting, closed, withdrawn, invalid, overdue, closedThisMonth,
            openStock, openIncrement, closedStock, closedIncrement,
            [.. sectors.Select(s => new SectorFigures(s.Key, s.Value.Open, s.Value.Overdue, s.Value.Closed))],
            new EscalationFigures(county, city, province,
                fired[(int)EscalationStep.WarningLetter], fired[(int)EscalationStep.Circular], fired[(int)EscalationStep.Summons],
                fired[(int)EscalationStep.PublicExposure], fired[(int)EscalationStep.AccidentInvestigation],
                exposed, investigated, watched, fired[(int)EscalationStep.DeadlineWarning]),
            thisYear.Count,
            thisYear.Sum(a => a.Deaths),
            tipList.Count,
            tipList.Count(t => t.IsVerified),
            tipList.Sum(t => t.PaidFen),
            tipList.Count(t => t.IsVerificationOverdueAt(now)));
    }

    /// <summary>
    /// The next instant after <paramref name="now"/> at which these figures change by the clock
    /// alone: a rectification deadline passing, a new month resetting the monthly counts, or a new
    /// year resetting this year's fatal accidents, a tip's verification falling overdue. (Ladder
    /// steps falling due are scheduled separately: they change figures only once fired.)
    /// </summary>
    public static DateTimeOffset? NextChange(IEnumerable<HazardFacts> hazards, DateTimeOffset now, IEnumerable<FatalAccident>? accidents = null, IEnumerable<TipFacts>? tips = null)
    {
        DateTimeOffset? next = (accidents ?? []).Any(a => ChinaTime.SameYear(a.OccurredAt, now)) ? ChinaTime.StartOfNextYear(now) : null;
        foreach (var t in tips ?? [])
        {
            if (t.Status == TipStatus.Received && t.VerificationDueAt >= now && (next is null || t.VerificationDueAt.AddTicks(1) < next))
            {
                next = t.VerificationDueAt.AddTicks(1);
            }
        }

        foreach (var h in hazards)
        {
            DateTimeOffset? candidate = h switch
            {
                { Status: HazardStatus.Rectifying, Deadline: { } d } when d >= now => d.AddTicks(1),
                { Status: HazardStatus.Closed, ClosedAt: { } c } when ChinaTime.SameMonth(c, now) => ChinaTime.StartOfNextMonth(now),
                _ when !h.Escalations.IsDefault && h.Escalations.Any(e => ChinaTime.SameMonth(e.FiredAt, now)) => ChinaTime.StartOfNextMonth(now),
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
    public static HazardFigures Sum(IEnumerable<HazardFigures> parts) => parts.Aggregate(Zero, Additive<HazardFigures>.Add);
}
