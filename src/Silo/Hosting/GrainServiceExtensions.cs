using HazardGrid.Accounts;
using HazardGrid.Common;
using HazardGrid.Escalations;
using HazardGrid.Gateway.Security;
using HazardGrid.Notifications;
using HazardGrid.Regions;
using HazardGrid.Rollups;
using HazardGrid.Sectors;
using HazardGrid.Statistics;
using HazardGrid.Tips;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HazardGrid.Silo.Hosting;

public static class GrainServiceExtensions
{
    /// <summary>
    /// Everything the grains need from a silo, whatever its storage and clustering: the region
    /// tree, the domain clock, the working-day calendar, the escalation policy, the rollup timing, and a start-up task that
    /// wakes the region tree so every town's ladder runs (and catches up) without waiting for a query.
    /// </summary>
    public static ISiloBuilder AddHazardGrid(this ISiloBuilder silo, IConfiguration? configuration = null)
    {
        silo.Services.AddHazardGridDomain(configuration);

        // The silo's copy of the ladder catalog; it takes the policy registered last, so a test (or a
        // host) that replaces the policy replaces the version new listings get.
        silo.Services.TryAddSingleton(services => new LadderBook(services.GetRequiredService<EscalationPolicy>(), services.GetRequiredService<IGrainFactory>()));

        // Idle enterprises and hazards are collected after a minute ([CollectionAgeLimit]); Orleans
        // wants the collection quantum shorter than any age limit.
        silo.Configure<Orleans.Configuration.GrainCollectionOptions>(o => o.CollectionQuantum = TimeSpan.FromSeconds(30));
        // The region tree is woken behind the start, not as part of it: the wake activates every
        // region grain (~2,000, each reading its state), and a silo that waited for it took writes
        // only once it was done — tens of seconds with the full province, minutes on a busy machine
        // (bench/README.md, "cold start"). Writes and queries arriving meanwhile wake what they touch.
        silo.AddStartupTask((services, cancellationToken) =>
        {
            _ = Task.Run(() => WakeRegionTree(services), CancellationToken.None);
            return Task.CompletedTask;
        });
        silo.AddStartupTask(WakeNoticeOutboxes);
        return silo;
    }

    public static IServiceCollection AddHazardGridDomain(this IServiceCollection services, IConfiguration? configuration = null)
    {
        services.TryAddSingleton(RegionCatalog.Shandong);
        services.TryAddSingleton(DomainClock.System);
        // The calendar goes into the policy, which the grains already take, so that every ladder
        // counts working days in the one configured calendar; both are read (and refused) at start-up.
        var calendar = configuration is null ? WorkingDayCalendar.Official : CalendarSettings.Load(configuration);
        services.TryAddSingleton(calendar);
        services.TryAddSingleton((configuration is null ? EscalationPolicy.Standard : EscalationSettings.Load(configuration)) with { Calendar = calendar });
        services.TryAddSingleton<CalendarGapWarnings>();
        // Which office regulates which sectors: the towns count figures for each office's sectors.
        services.TryAddSingleton(configuration is null ? SectorOffices.Default : SectorOfficeSettings.Load(configuration));
        var rollups = services.AddOptions<RollupOptions>();
        var campaign = services.AddOptions<CampaignOptions>();
        var accounts = services.AddOptions<AccountOptions>();
        var webhook = services.AddOptions<NoticeWebhookOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NoticeWebhookOptions>, NoticeWebhookOptionsValidator>());
        services.TryAddSingleton<INoticeDelivery>(s => s.GetRequiredService<IOptions<NoticeWebhookOptions>>().Value is { Enabled: true } o
            ? new WebhookNoticeDelivery(o)
            : new NoNoticeDelivery());
        services.TryAddSingleton<NoticeSender>();
        var tips = services.AddOptions<TipOptions>().Validate(o => o.VerificationWorkingDays is >= 1 and <= 250, $"{TipOptions.Section}:VerificationWorkingDays must be from 1 to 250 working days");
        if (configuration is not null)
        {
            tips.Bind(configuration.GetSection(TipOptions.Section));
            rollups.Bind(configuration.GetSection("HazardGrid:Rollups"));
            campaign.Bind(configuration.GetSection(CampaignOptions.Section));
            accounts.Bind(configuration.GetSection(AccountOptions.Section));
            webhook.Bind(configuration.GetSection(NoticeWebhookOptions.Section));
        }

        return services;
    }

    private static async Task WakeRegionTree(IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILogger<RollupGrain>>();
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();

            // The ladder catalog first: every town's activation waits for it (LadderBook.Ensure),
            // and were it first asked for by the first town, its one read would queue behind the
            // ~22,000 reads of the towns woken with it, and every town would wait for all of them
            // (bench/README.md, "cold start, traced").
            await services.GetRequiredService<LadderBook>().CurrentVersion();
            var province = await services.GetRequiredService<IGrainFactory>().Reference<IRollupGrain>(RegionCatalog.Shandong.Root.Code).GetStatus();
            logger.LogInformation("Region tree awake after {Seconds:F1} s: {Open} open major hazards in the province", clock.Elapsed.TotalSeconds, province.Figures.Open);
        }
        catch (Exception ex)
        {
            // Not fatal: the tree also wakes on the first query, and towns then catch up.
            logger.LogWarning(ex, "Could not wake the region tree at start-up");
        }
    }

    /// <summary>
    /// With a delivery webhook configured, wakes every town's notice outbox, so notices that were
    /// pending when the silo stopped are sent again without waiting for a write to their hazard.
    /// Without one, nothing (the province's start-up costs what it did).
    /// </summary>
    private static async Task WakeNoticeOutboxes(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (!services.GetRequiredService<INoticeDelivery>().Enabled)
        {
            return;
        }

        var grains = services.GetRequiredService<IGrainFactory>();
        var towns = services.GetRequiredService<RegionCatalog>().All.Where(r => r.Level == RegionLevel.Town).Select(r => r.Code).ToList();
        try
        {
            // A few at a time: each is one read of a small state.
            await Parallel.ForEachAsync(towns, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
                async (town, _) => await grains.Reference<INoticeOutboxGrain>(town).Wake());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not fatal: a hazard's next write sends its pending notices too.
            services.GetRequiredService<ILogger<NoticeSender>>().LogWarning(ex, "Could not wake every town's notice outbox at start-up");
        }
    }
}
