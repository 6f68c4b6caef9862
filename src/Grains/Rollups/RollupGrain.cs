using System.Collections.Immutable;
using HazardGrid.Circulars;
using HazardGrid.Common;
using HazardGrid.Escalations;
using HazardGrid.Regions;
using HazardGrid.Sectors;
using HazardGrid.Statistics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HazardGrid.Rollups;

/// <summary>
/// A county, city or the province (see <see cref="IRollupGrain"/>): its children's latest figures
/// in memory, added up. Nothing here is stored: once activated the grain pulls its children's
/// figures again (see <see cref="OnActivateAsync"/> for why not inside the activation), and so does
/// every <see cref="RollupOptions.ReconcilePeriod"/>, repairing anything a lost report missed.
/// </summary>
[GrainType("rollup")]
public sealed class RollupGrain(
    RegionCatalog regions,
    DomainClock clock,
    EscalationPolicy policy,
    IOptions<RollupOptions> options,
    IOptions<CampaignOptions> campaign,
    ILogger<RollupGrain> logger) : Grain, IRollupGrain
{
    /// <summary>How many direct reports a region keeps for its feed.</summary>
    public const int DirectReportFeedLength = 100;

    private readonly Dictionary<string, ChildFigures> _children = new(StringComparer.Ordinal);
    private readonly LinkedList<DirectReport> _directReports = new();
    private readonly CancellationTokenSource _deactivating = new();
    private Task _pulled = Task.CompletedTask;
    private Region _region = null!;
    private RegionReporter _reporter = null!;
    private HazardFigures? _figures;
    private EquatableArray<SectorScopeFigures>? _scoped;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _region = regions.Get(this.GetPrimaryKeyString());
        _reporter = new RegionReporter(this, GrainFactory, _region, options.Value, Status, logger);

        // Pulled after the activation, not inside it: a child reports from a timer tick of its
        // own, and a child that is deactivating waits for that tick. Were this activation waiting
        // for the child's figures, the two would wait on each other until the call timed out.
        // Reports that arrive meanwhile are taken at once; the figures are answered once pulled.
        // Asked again until every child answers: until then the figures would count only the
        // children that happened to report.
        _pulled = AskAgain.UntilAnswered(PullChildren, logger, $"pull the children's figures of region {_region.Code}", _deactivating.Token);
        this.RegisterGrainTimer(_ => PullChildren(), options.Value.ReconcilePeriod, options.Value.ReconcilePeriod);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deactivating.Cancel();
        return Task.CompletedTask;
    }

    public async Task<RegionStatus> GetStatus()
    {
        await _pulled;
        return Status();
    }

    public async Task<ChildFigures> GetFiguresForParent()
    {
        await _pulled;
        return new ChildFigures(_region.Code, Figures, _reporter.Sequence, Scoped);
    }

    public async Task<ImmutableArray<WatchListEntry>> GetWatchList(SectorScope? sectors = null)
    {
        var children = await Task.WhenAll(Children.Select(c => c.GetWatchList(sectors)));
        return [.. children.SelectMany(c => c)];
    }

    public async Task<ImmutableArray<RegionEscalationEvent>> GetEscalationEvents(SectorScope? sectors = null)
    {
        var children = await Task.WhenAll(Children.Select(c => c.GetEscalationEvents(sectors)));
        return [.. children.SelectMany(c => c).OrderByDescending(e => e.FiredAt).ThenBy(e => e.HazardId, StringComparer.Ordinal).ThenBy(e => e.Step)];
    }

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

    public Task ReportChildFigures(ChildFigures figures)
    {
        if (!_children.TryGetValue(figures.Code, out var known) || known.Sequence < figures.Sequence)
        {
            // A sequence is the wall-clock tick of the child's change: the difference is the lag.
            HazardGridMetrics.RollupLag(DateTime.UtcNow - new DateTime(figures.Sequence, DateTimeKind.Utc), _region.Level.ToString());
            _children[figures.Code] = figures;
            _figures = null;
            _scoped = null;
            _reporter.Changed();
        }

        return Task.CompletedTask;
    }

    public Task ReceiveDirectReport(DirectReport report)
    {
        if (_directReports.All(r => r.Id != report.Id))
        {
            _directReports.AddFirst(report);
            if (_directReports.Count > DirectReportFeedLength)
            {
                _directReports.RemoveLast();
            }

            _reporter.Changed();
        }

        return Task.CompletedTask;
    }

    public async Task<RegionStatisticsReport> GetStatistics(StatisticsPeriod period, SectorScope? sectors = null)
    {
        var until = StatisticsCalls.Until(period, clock.Now);
        return new RegionStatisticsReport(_region, period, until, await CountStatistics(period, until, sectors));
    }

    /// <summary>Asks every child at once and adds their statistics: sums and histograms add exactly.</summary>
    public async Task<RegionStatistics> CountStatistics(StatisticsPeriod period, DateTimeOffset until, SectorScope? sectors = null) =>
        RegionStatistics.Sum(await Task.WhenAll(Children.Select(c => c.CountStatistics(period, until, sectors))));

    public async Task<CircularItems> ListCircularItems(StatisticsPeriod month, DateTimeOffset until, SectorScope? sectors = null) =>
        CircularItems.Sum(await Task.WhenAll(Children.Select(c => c.ListCircularItems(month, until, sectors))));

    public async Task<CampaignProgress> GetCampaignProgress(PeriodKind kind, SectorScope? sectors = null)
    {
        var query = CampaignQuery.At(campaign.Value.StartInstant, kind, clock.Now);
        var children = await Task.WhenAll(ChildRegions.Select(async r => new ChildCampaignFigures(r, await GrainFactory.GetRegionGrain(r).CountCampaign(query, sectors))));
        return new CampaignProgress(_region, query, CampaignFigures.Sum(children.Select(c => c.Figures)), [.. children]);
    }

    public async Task<CampaignFigures> CountCampaign(CampaignQuery query, SectorScope? sectors = null) =>
        CampaignFigures.Sum(await Task.WhenAll(Children.Select(c => c.CountCampaign(query, sectors))));

    public async Task<RegionRanking> GetRanking(RankingKey key, bool bestFirst, SectorScope? sectors = null)
    {
        await _pulled;
        if (sectors is not null && SectorScopeFigures.Find(Scoped, sectors) is null)
        {
            throw DomainException.Precondition("credential.office",
                $"region {_region.Code} counts no figures for the sectors {sectors}: configure the same {SectorOffices.Section} on the silos as on the gateway");
        }

        return RegionRanking.Rank(
            _region,
            ChildRegions.Select(r => (r, FiguresOf(r, sectors))),
            key,
            bestFirst,
            clock.Now);
    }

    /// <summary>A child's figures as held, over every sector or over one sector scope (zero until it reports).</summary>
    private HazardFigures FiguresOf(Region child, SectorScope? sectors) =>
        !_children.TryGetValue(child.Code, out var figures) ? HazardFigures.Zero
        : sectors is null ? figures.Figures
        : SectorScopeFigures.Find(figures.ByScope, sectors)?.Figures ?? HazardFigures.Zero;

    private HazardFigures Figures => _figures ??= HazardFigures.Sum(_children.Values.Select(c => c.Figures));

    private EquatableArray<SectorScopeFigures> Scoped => _scoped ??= SectorScopeFigures.Sum(_children.Values.Select(c => c.ByScope));

    private IEnumerable<Region> ChildRegions => regions.ChildrenOf(_region.Code).Select(regions.Get);

    private IEnumerable<IRegionGrain> Children => ChildRegions.Select(GrainFactory.GetRegionGrain);

    private RegionStatus Status() =>
        new(_region, Figures, clock.Now, Figures.OverdueShare > policy.RegionOverdueShareThreshold, [.. _directReports],
            SectorStatus.WithSummons(Scoped, policy.RegionOverdueShareThreshold));

    private async Task PullChildren()
    {
        var children = await Task.WhenAll(Children.Select(c => c.GetFiguresForParent()));
        var changed = false;
        foreach (var child in children)
        {
            if (!_children.TryGetValue(child.Code, out var known) || known.Sequence < child.Sequence || known.Figures != child.Figures || known.ByScope != child.ByScope)
            {
                _children[child.Code] = child;
                changed = true;
            }
        }

        if (changed)
        {
            _figures = null;
            _scoped = null;
            _reporter.Changed();
        }
    }
}
