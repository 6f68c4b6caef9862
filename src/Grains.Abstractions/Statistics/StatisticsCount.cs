using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Escalations;
using HazardGrid.Hazards;
using HazardGrid.Rollups;

namespace HazardGrid.Statistics;

/// <summary>
/// Counts a set of hazards' statistics over a period from their latest facts; the one place the
/// definitions below live (the .proto repeats them for clients). The facts keep each hazard's
/// current status and deadline, not their history, which the definitions take into account.
/// <list type="bullet">
/// <item><b>found</b>: found in the period; records marked invalid (not a major hazard) are never
/// counted, withdrawn ones are.</item>
/// <item><b>closed</b>: closed in the period; <b>on time</b> when the close time is at or before
/// the hazard's deadline (or it never had one), <b>late</b> otherwise.</item>
/// <item><b>open at the end</b>: found before the end and neither closed nor withdrawn before it;
/// a withdrawal whose time was not kept (facts stored before it was) counts as never open.</item>
/// <item><b>overdue at the end</b>: open at the end, with a deadline before the end, and not
/// awaiting verification now. The deadline is the current one: an extension, even one made after
/// the end, replaces the earlier deadline.</item>
/// <item><b>days to close</b>: of each hazard closed in the period, whole days (24 h, rounded
/// down) from found to closed.</item>
/// <item><b>ladder steps</b>: fired in the period, on any record.</item>
/// </list>
/// A period still running is counted up to <c>until</c> (now), and "the end" is then now: for the
/// current month, open and overdue at the end equal the live figures.
/// </summary>
public static class StatisticsCount
{
    public static RegionStatistics Count(IEnumerable<HazardFacts> hazards, StatisticsPeriod period, DateTimeOffset until)
    {
        var total = new Tally();
        var sectors = new SortedDictionary<Sector, Tally>();
        var channels = new SortedDictionary<int, Tally>();
        foreach (var h in hazards)
        {
            var sector = sectors.TryGetValue(h.Sector, out var s) ? s : sectors[h.Sector] = new Tally();
            var channelKey = (int?)h.FirstChannel ?? 0;
            var channel = channels.TryGetValue(channelKey, out var c) ? c : channels[channelKey] = new Tally();
            total.Add(h, period.Start, until);
            sector.Add(h, period.Start, until);
            channel.Add(h, period.Start, until);
        }

        return new RegionStatistics(
            total.ToFigures(),
            [.. sectors.Where(s => !s.Value.IsEmpty).Select(s => new SectorPeriodFigures(s.Key, s.Value.ToFigures()))],
            [.. channels.Where(c => !c.Value.IsEmpty).Select(c => new ChannelPeriodFigures(c.Key == 0 ? null : (ReportChannel)c.Key, c.Value.ToFigures()))]);
    }

    /// <summary>
    /// The last instant up to which counting <paramref name="hazards"/> until any instant from
    /// <paramref name="until"/> on gives the same statistics as counting until <paramref name="until"/>:
    /// every definition above compares an instant of a hazard (found, closed, ended, deadline, a
    /// step fired) with the end, so the count changes only when the end passes one of them. A
    /// town keeps a count while its ledger is unchanged and calls stay within this.
    /// </summary>
    public static DateTimeOffset SameUntil(IEnumerable<HazardFacts> hazards, DateTimeOffset until)
    {
        var through = DateTimeOffset.MaxValue;
        void See(DateTimeOffset? instant)
        {
            if (instant is { } at && at >= until && at < through)
            {
                through = at;
            }
        }

        foreach (var h in hazards)
        {
            See(h.FoundAt);
            See(h.ClosedAt);
            See(h.EndedAt);
            See(h.Deadline);
            if (!h.Escalations.IsDefault)
            {
                foreach (var e in h.Escalations)
                {
                    See(e.FiredAt);
                }
            }
        }

        return through;
    }

    /// <summary>Open at <paramref name="instant"/>: found before it, not invalid, and not ended before it.</summary>
    public static bool IsOpenAt(HazardFacts h, DateTimeOffset instant) =>
        h.Status != HazardStatus.Invalid
        && h.FoundAt < instant
        && (h.EndedAt is { } ended ? ended >= instant : h.IsOpen);

    /// <summary>Overdue at <paramref name="instant"/> by the facts as they stand (see the class remarks).</summary>
    public static bool IsOverdueAt(HazardFacts h, DateTimeOffset instant) =>
        IsOpenAt(h, instant) && h.Deadline is { } deadline && deadline < instant && h.Status != HazardStatus.AwaitingVerification;

    /// <summary>Whole days from found to closed (rounded down; never negative).</summary>
    public static int DaysToClose(HazardFacts h) =>
        h.ClosedAt is { } closed ? Math.Max(0, (int)Math.Floor((closed - h.FoundAt).TotalDays)) : 0;

    /// <summary>One set's counts while they are being made.</summary>
    private sealed class Tally
    {
        private readonly int[] _steps = new int[7]; // by step number; 6 (the deadline warning) stays 0
        private readonly List<int> _days = [];
        private int _found, _closed, _onTime, _late, _open, _overdue;

        public bool IsEmpty => _found + _closed + _open + _overdue + _steps.Sum() == 0;

        public void Add(HazardFacts h, DateTimeOffset start, DateTimeOffset until)
        {
            if (!h.Escalations.IsDefault)
            {
                foreach (var e in h.Escalations)
                {
                    // Statistics count sanctions; a deadline warning is not one.
                    _steps[(int)e.Step] += e.Step.IsSanction() && start <= e.FiredAt && e.FiredAt < until ? 1 : 0;
                }
            }

            if (h.Status == HazardStatus.Invalid)
            {
                return;
            }

            _found += start <= h.FoundAt && h.FoundAt < until ? 1 : 0;
            if (h is { Status: HazardStatus.Closed, ClosedAt: { } closedAt } && start <= closedAt && closedAt < until)
            {
                _closed++;
                var onTime = h.Deadline is not { } deadline || closedAt <= deadline;
                _onTime += onTime ? 1 : 0;
                _late += onTime ? 0 : 1;
                _days.Add(DaysToClose(h));
            }

            _open += IsOpenAt(h, until) ? 1 : 0;
            _overdue += IsOverdueAt(h, until) ? 1 : 0;
        }

        public PeriodFigures ToFigures() => new(
            new PeriodCounts(_found, _closed, _onTime, _late, _open, _overdue,
                _steps[(int)EscalationStep.WarningLetter], _steps[(int)EscalationStep.Circular], _steps[(int)EscalationStep.Summons],
                _steps[(int)EscalationStep.PublicExposure], _steps[(int)EscalationStep.AccidentInvestigation]),
            ClosureDays.Of(_days));
    }
}
