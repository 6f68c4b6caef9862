using System.Collections.Immutable;
using HazardGrid.Accidents;
using HazardGrid.Circulars;
using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Escalations;
using HazardGrid.Queries;
using HazardGrid.Regions;
using HazardGrid.Sectors;
using HazardGrid.Statistics;
using HazardGrid.Tips;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HazardGrid.Rollups;

/// <summary>
/// A town (see <see cref="ITownGrain"/>): its durable <see cref="TownLedger"/>, the figures
/// counted from it, and the <see cref="EscalationSchedule"/> of its hazards' ladders. The figures
/// are always a recount of the ledger as stored; they are recounted after every ledger write and
/// when the clock passes a moment that changes them (a deadline, a new month), and the schedule
/// is planned again at the same moments and when a step falls due.
/// </summary>
/// <remarks>The grain type stays "region", the name of the single region grain this one split
/// from: a grain's type is part of its storage key, and the towns' ledgers are stored under it.</remarks>
[GrainType("region")]
public sealed class TownGrain(
    [PersistentState("ledger", StorageNames.Store)] IPersistentState<TownLedgerState> ledger,
    [PersistentState("ledger-1", StorageNames.Store)] IPersistentState<TownLedgerState> ledger1,
    [PersistentState("ledger-2", StorageNames.Store)] IPersistentState<TownLedgerState> ledger2,
    [PersistentState("ledger-3", StorageNames.Store)] IPersistentState<TownLedgerState> ledger3,
    [PersistentState("ledger-4", StorageNames.Store)] IPersistentState<TownLedgerState> ledger4,
    [PersistentState("ledger-5", StorageNames.Store)] IPersistentState<TownLedgerState> ledger5,
    [PersistentState("ledger-6", StorageNames.Store)] IPersistentState<TownLedgerState> ledger6,
    [PersistentState("ledger-7", StorageNames.Store)] IPersistentState<TownLedgerState> ledger7,
    [PersistentState("ledger-recent", StorageNames.Store)] IPersistentState<TownLedgerState> ledgerRecent,
    [PersistentState("directory-0", StorageNames.Store)] IPersistentState<TownDirectoryState> directory0,
    [PersistentState("directory-1", StorageNames.Store)] IPersistentState<TownDirectoryState> directory1,
    [PersistentState("directory-2", StorageNames.Store)] IPersistentState<TownDirectoryState> directory2,
    [PersistentState("directory-3", StorageNames.Store)] IPersistentState<TownDirectoryState> directory3,
    RegionCatalog regions,
    DomainClock clock,
    EscalationPolicy policy,
    LadderBook ladders,
    IOptions<RollupOptions> options,
    IOptions<CampaignOptions> campaign,
    CalendarGapWarnings calendarGaps,
    SectorOffices offices,
    ILogger<TownGrain> logger) : Grain, ITownGrain
{
    private readonly EscalationSchedule _schedule = new(ladders, options.Value.EscalationRetry);
    private Region _region = null!;
    private TownLedger _ledger = null!;
    private RegionReporter _reporter = null!;
    private TownDirectory _directory = null!;
    private HazardIndexFeed _index = null!;
    private HazardFigures _figures = HazardFigures.Zero;

    // The figures of each sector office's scope (see SectorCounts), counted with _figures.
    private EquatableArray<SectorScopeFigures> _scoped = [];

    // Statistics counted lately, by period (see CountStatistics); at most KeptCounts of them.
    private const int KeptCounts = 32;
    private readonly Dictionary<(StatisticsPeriod Period, SectorScope? Sectors), KeptCount> _counted = [];

    // The next instant at which the figures change by the clock alone (a deadline passing, a new
    // month or year resetting the counts "this month/year").
    private DateTimeOffset? _figuresChangeAt;
    private IGrainTimer? _clockTimer;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _region = regions.Get(this.GetPrimaryKeyString());
        if (_region.Level != RegionLevel.Town)
        {
            // A programming error, not a request: regions are reached through GetRegionGrain.
            throw new InvalidOperationException($"Region {_region.Code} is a {_region.Level}, not a town.");
        }

        _reporter = new RegionReporter(this, GrainFactory, _region, options.Value, Status, logger);
        _index = new HazardIndexFeed(this, GrainFactory, _region.Code[..4], options.Value.FlushDelay, logger);
        _ledger = new TownLedger([ledger, ledger1, ledger2, ledger3, ledger4, ledger5, ledger6, ledger7], ledgerRecent, this, stored =>
        {
            Count();
            _reporter.Changed();
            _index.Stored(stored);
        });
        await _ledger.LoadAsync();

        // Every ladder version the ledger's hazards follow, before the first plan.
        await ladders.Ensure(_ledger.Stored.Hazards.Values.Select(h => h.LadderVersion).Distinct());
        _directory = new TownDirectory([directory0, directory1, directory2, directory3], this);
        _directory.Load();

        // A hand-over lost with the previous activation is repaired here: the index keeps only
        // newer versions, so handing it everything again is harmless.
        _index.Stored(_ledger.Stored.Hazards.Values);

        // Catches up at once with whatever fell due while the town was not active.
        Count();
    }

    public async Task ApplyHazardFacts(ImmutableArray<HazardFacts> facts)
    {
        // A version registered by another silo since this one read the catalog is read before planning.
        await ladders.Ensure(facts.Select(f => f.LadderVersion).Distinct());
        await _ledger.Apply(facts);
    }

    public Task ApplyFatalAccident(FatalAccident accident) => _ledger.Apply(accident);

    public Task ApplyTipFacts(ImmutableArray<TipFacts> facts) => _ledger.Apply(facts);

    public Task<TipPage> ListTips(string? after, int limit)
    {
        var ordered = _ledger.Stored.TipsOrEmpty.Values
            .Where(t => after is null || TipKey.Compare(t.TipId, after) > 0)
            .OrderBy(t => TipKey.Parse(t.TipId).Number)
            .Take(limit + 1)
            .ToList();
        return Task.FromResult(new TipPage([.. ordered.Take(limit)], ordered.Count > limit, clock.Now));
    }

    public Task<RegionStatus> GetStatus() => Task.FromResult(Status());

    public Task<ImmutableArray<HazardFacts>> GetStoredHazardFacts() => Task.FromResult<ImmutableArray<HazardFacts>>([.. _ledger.Stored.Hazards.Values]);

    public Task AnnounceEnterprise(DirectoryEntry enterprise) => _directory.Announce(enterprise);

    public Task ForgetEnterprise(string creditCode) => _directory.Forget(creditCode);

    public Task<EnterprisePage> ListEnterprises(EnterpriseFilter filter, string? after, int limit)
    {
        var open = _ledger.Stored.Hazards.Values.In(filter.Scope).Where(h => h.IsOpen).CountBy(h => h.CreditCode).ToDictionary(StringComparer.Ordinal);
        var watched = WatchList(filter.Scope).Select(e => e.CreditCode).ToHashSet(StringComparer.Ordinal);
        var page = ImmutableArray.CreateBuilder<EnterpriseSummary>();
        var more = false;
        foreach (var (code, entry) in _directory.Stored)
        {
            if (after is not null && string.CompareOrdinal(code, after) <= 0)
            {
                continue;
            }

            var summary = new EnterpriseSummary(code, entry.Name, _region.Code, entry.Sectors, open.GetValueOrDefault(code), watched.Contains(code));
            if (!filter.Matches(summary))
            {
                continue;
            }

            if (page.Count == limit)
            {
                more = true;
                break;
            }

            page.Add(summary);
        }

        return Task.FromResult(new EnterprisePage(page.ToImmutable(), more));
    }

    public Task<ChildFigures> GetFiguresForParent()
    {
        var (figures, scoped) = CurrentFigures();
        return Task.FromResult(new ChildFigures(_region.Code, figures, _reporter.Sequence, scoped));
    }

    public Task<ImmutableArray<WatchListEntry>> GetWatchList(SectorScope? sectors = null) => Task.FromResult(WatchList(sectors));

    private ImmutableArray<WatchListEntry> WatchList(SectorScope? sectors)
    {
        var now = clock.Now;
        var stored = _ledger.Stored;
        var accidents = stored.FatalAccidents.Values.In(sectors, SectorsOf).Where(a => ChinaTime.SameYear(a.OccurredAt, now)).ToLookup(a => a.CreditCode);
        var open = stored.Hazards.Values.In(sectors).Where(h => h.IsOpen).ToLookup(h => h.CreditCode);
        return [.. open.Select(g => g.Key).Union(accidents.Select(g => g.Key))
            .Select(code => new WatchListEntry(code, _region.Code, open[code].Any(h => h.Has(EscalationStep.PublicExposure)), open[code].Count(h => h.IsOverdueAt(now)), accidents[code].Count()))
            .Where(e => e.Exposed || e.OverdueHazards > policy.WatchListOverdueHazards || e.FatalAccidentsThisYear > 0)
            .OrderBy(e => e.CreditCode, StringComparer.Ordinal)];
    }

    public Task<ImmutableArray<RegionEscalationEvent>> GetEscalationEvents(SectorScope? sectors = null) =>
        Task.FromResult<ImmutableArray<RegionEscalationEvent>>([.. _ledger.Stored.Hazards.Values.In(sectors)
            .Where(h => !h.Escalations.IsDefaultOrEmpty)
            .SelectMany(h => h.Escalations.Select(e => new RegionEscalationEvent(h.HazardId, _region.Code, e.Step, e.DueAt, e.FiredAt, e.Trigger)))
            .OrderByDescending(e => e.FiredAt).ThenBy(e => e.HazardId, StringComparer.Ordinal).ThenBy(e => e.Step)]);

    public Task Watch(IRegionStatusObserver observer)
    {
        _reporter.Watch(observer);
        return Task.CompletedTask;
    }

    public Task Unwatch(IRegionStatusObserver observer)
    {
        _reporter.Unwatch(observer);
        return Task.CompletedTask;
    }

    public Task<RegionStatisticsReport> GetStatistics(StatisticsPeriod period, SectorScope? sectors = null)
    {
        var until = StatisticsCalls.Until(period, clock.Now);
        return Task.FromResult(new RegionStatisticsReport(_region, period, until, StatisticsCount.Count(_ledger.Stored.Hazards.Values.In(sectors), period, until)));
    }

    public Task<RegionStatistics> CountStatistics(StatisticsPeriod period, DateTimeOffset until, SectorScope? sectors = null)
    {
        // A count is kept for the ledger it was made from, and for ends up to the next instant of
        // a hazard (StatisticsCount.SameUntil): a province's statistics ask every town, and most
        // towns have not changed since the last time, above all for past periods.
        var stored = _ledger.Stored;
        if (_counted.TryGetValue((period, sectors), out var kept) && ReferenceEquals(kept.Ledger, stored) && kept.From <= until && until <= kept.Through)
        {
            return Task.FromResult(kept.Statistics);
        }

        var hazards = stored.Hazards.Values.In(sectors).ToList();
        var statistics = StatisticsCount.Count(hazards, period, until);
        if (_counted.Count >= KeptCounts)
        {
            _counted.Clear();
        }

        _counted[(period, sectors)] = new KeptCount(stored, until, StatisticsCount.SameUntil(hazards, until), statistics);
        return Task.FromResult(statistics);
    }

    public Task<CircularItems> ListCircularItems(StatisticsPeriod month, DateTimeOffset until, SectorScope? sectors = null) =>
        Task.FromResult(CircularItems.Select(
            _ledger.Stored.Hazards.Values.In(sectors), _ledger.Stored.FatalAccidents.Values.In(sectors, SectorsOf), code => _directory.Stored.GetValueOrDefault(code)?.Name, month, until));

    public Task<CampaignProgress> GetCampaignProgress(PeriodKind kind, SectorScope? sectors = null)
    {
        var query = CampaignQuery.At(campaign.Value.StartInstant, kind, clock.Now);
        return Task.FromResult(new CampaignProgress(_region, query, CampaignFigures.Count(_ledger.Stored.Hazards.Values.In(sectors), query), []));
    }

    public Task<CampaignFigures> CountCampaign(CampaignQuery query, SectorScope? sectors = null) =>
        Task.FromResult(CampaignFigures.Count(_ledger.Stored.Hazards.Values.In(sectors), query));

    private RegionStatus Status()
    {
        var (figures, scoped) = CurrentFigures();
        return new(_region, figures, clock.Now, figures.OverdueShare > policy.RegionOverdueShareThreshold, [],
            SectorStatus.WithSummons(scoped, policy.RegionOverdueShareThreshold));
    }

    /// <summary>The figures now, the town's and each sector scope's. Between a clock change and the
    /// next clock check a read counts afresh rather than answer stale figures; it changes nothing
    /// (the clock check does).</summary>
    private (HazardFigures Figures, EquatableArray<SectorScopeFigures> ByScope) CurrentFigures() =>
        _figuresChangeAt is { } at && clock.Now >= at ? (CountLedger(clock.Now), CountScopes(clock.Now)) : (_figures, _scoped);

    private HazardFigures CountLedger(DateTimeOffset now) =>
        HazardFigures.Count(_ledger.Stored.Hazards.Values, now, policy.WatchListOverdueHazards, _ledger.Stored.FatalAccidents.Values, _ledger.Stored.TipsOrEmpty.Values);

    private EquatableArray<SectorScopeFigures> CountScopes(DateTimeOffset now) =>
        SectorCounts.Count(offices.Scopes, _ledger.Stored.Hazards.Values, _ledger.Stored.FatalAccidents.Values, SectorsOf, now, policy.WatchListOverdueHazards);

    /// <summary>An enterprise's sectors from the directory (null when the town does not list it).</summary>
    private ImmutableArray<Sector>? SectorsOf(string creditCode) => _directory?.Stored.GetValueOrDefault(creditCode)?.Sectors;

    /// <summary>The ledger changed (or the grain activated): count it, plan the ladder from it,
    /// ask for the steps due, and arm the clock check.</summary>
    private void Count()
    {
        CountFigures(clock.Now);
        PlanLadder(clock.Now);
    }

    private void CountFigures(DateTimeOffset now)
    {
        _figures = CountLedger(now);
        _scoped = CountScopes(now);
        _figuresChangeAt = HazardFigures.NextChange(_ledger.Stored.Hazards.Values, now, _ledger.Stored.FatalAccidents.Values, _ledger.Stored.TipsOrEmpty.Values);
        ArmClock();
    }

    private void PlanLadder(DateTimeOffset now)
    {
        _schedule.Plan(_ledger.Stored.Hazards.Values, now);
        foreach (var year in _schedule.UncoveredYears)
        {
            calendarGaps.Uncovered(year);
        }

        AskForDueSteps();
        ArmClock();
    }

    /// <summary>Ticks while a moment is ahead that changes the figures or the ladder, or a step is due.</summary>
    private void ArmClock()
    {
        if (_figuresChangeAt is not null || _schedule.NextDueAt is not null || _schedule.HasDue)
        {
            _clockTimer ??= this.RegisterGrainTimer(CheckClock, options.Value.ClockCheckPeriod, options.Value.ClockCheckPeriod);
        }
        else
        {
            _clockTimer?.Dispose();
            _clockTimer = null;
        }
    }

    /// <summary>Counting and scheduling move on separately: a passing deadline or month changes the
    /// figures (reported up); a step falling due changes only what to ask for (its figures change
    /// when the step fires and its facts arrive).</summary>
    private Task CheckClock(CancellationToken cancellationToken)
    {
        var now = clock.Now;
        if (now >= _figuresChangeAt)
        {
            CountFigures(now);
            _reporter.Changed();
        }

        if (now >= _schedule.NextDueAt)
        {
            PlanLadder(now);
        }
        else
        {
            AskForDueSteps(); // again, for requests that went unanswered
        }

        return Task.CompletedTask;
    }

    /// <summary>Asks each due hazard's enterprise to fire its step. The request is one-way; the
    /// answer is the hazard's new facts arriving in the ledger.</summary>
    private void AskForDueSteps()
    {
        foreach (var (hazard, step, dueAt) in _schedule.ToAsk(DateTime.UtcNow))
        {
            _ = GrainFactory.Reference<IEnterpriseGrain>(hazard.CreditCode).Escalate(hazard.Number, step, dueAt);
        }
    }

    /// <summary>Statistics counted from <see cref="Ledger"/>, the same for any end from <see cref="From"/> through <see cref="Through"/>.</summary>
    private sealed record KeptCount(TownLedgerState Ledger, DateTimeOffset From, DateTimeOffset Through, RegionStatistics Statistics);
}
