using System.Threading.Channels;
using Google.Api;
using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Common;
using HazardGrid.Gateway.Circulars;
using HazardGrid.Gateway.Security;
using HazardGrid.Regions;
using HazardGrid.Rollups;

namespace HazardGrid.Gateway.Services;

/// <summary>Translates RegionService calls to region grains.</summary>
public sealed class RegionApi(IGrainFactory grains, RegionCatalog regions, OpenWatches watches, CircularReader circulars, ChromiumPrinter printer) : RegionService.RegionServiceBase
{
    /// <summary>How often a watch renews its subscription and re-reads the region: a region that
    /// moved to another silo (a failure, a deactivation) lost its watchers, and picks this one up
    /// again here.</summary>
    public static readonly TimeSpan WatchRenewal = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The region's status now, then each status the region pushes (see <see cref="IRegionGrain.Watch"/>),
    /// until the client cancels. Nothing polls: an open watch costs nothing while the region is quiet.
    /// </summary>
    public override async Task WatchRegionStatus(WatchRegionStatusRequest request, IServerStreamWriter<Api.V1.RegionStatus> responseStream, ServerCallContext context)
    {
        var region = context.ReadRegion(request.Name, regions); // checked once, when the watch starts
        var caller = context.Reader(); // a sector office is shown its sectors' status, push after push
        var grain = grains.GetRegionGrain(region);

        // Only the latest status matters to a watcher: a slow client skips the ones in between.
        var pushed = Channel.CreateBounded<Rollups.RegionStatus>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        var watcher = new StatusWatcher(pushed.Writer);
        using var held = watches.Hold(watcher); // Orleans holds it only weakly: see OpenWatches
        var reference = grains.CreateObjectReference<IRegionStatusObserver>(watcher);
        try
        {
            Rollups.RegionStatus? shown = null;
            await grain.Watch(reference);
            var status = caller.StatusFor(await grain.GetStatus());
            while (!context.CancellationToken.IsCancellationRequested)
            {
                if (status.DiffersFrom(shown))
                {
                    await responseStream.WriteAsync(ApiMapper.ToApi(status), context.CancellationToken);
                    shown = status;
                }

                using var renewal = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
                renewal.CancelAfter(WatchRenewal);
                try
                {
                    status = caller.StatusFor(await pushed.Reader.ReadAsync(renewal.Token));
                }
                catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
                {
                    await grain.Watch(reference);
                    status = caller.StatusFor(await grain.GetStatus());
                }
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            // Tell the region at once (its lease would drop us only minutes later), without
            // holding up the call's end for it.
            _ = grain.Unwatch(reference).ContinueWith(unwatched =>
            {
                _ = unwatched.Exception; // the region unreachable: its lease ends the subscription instead
                grains.DeleteObjectReference<IRegionStatusObserver>(reference);
            }, TaskScheduler.Default);
        }
    }

    /// <summary>Hands pushed statuses to the stream. Held in <see cref="OpenWatches"/> for the
    /// watching call's whole life: Orleans keeps only a weak reference to an observer.</summary>
    private sealed class StatusWatcher(ChannelWriter<Rollups.RegionStatus> statuses) : IRegionStatusObserver
    {
        public Task StatusChanged(Rollups.RegionStatus status)
        {
            statuses.TryWrite(status);
            return Task.CompletedTask;
        }
    }

    public override async Task<Api.V1.RegionStatus> GetRegionStatus(GetRegionStatusRequest request, ServerCallContext context)
    {
        var region = context.ReadRegion(request.Name, regions);
        return ApiMapper.ToApi(context.Reader().StatusFor(await grains.GetRegionGrain(region).GetStatus()));
    }

    public override async Task<ListWatchListResponse> ListWatchList(ListWatchListRequest request, ServerCallContext context)
    {
        var region = context.ReadRegion(request.Parent, regions, "parent");
        var page = Paging.Read(request.PageSize, request.PageToken);
        var all = await grains.GetRegionGrain(region).GetWatchList(context.Reader().Sectors);
        var response = new ListWatchListResponse { NextPageToken = page.NextToken(all.Length) };
        response.Entries.AddRange(page.Of(all).Select(ApiMapper.ToApi));
        return response;
    }

    public override async Task<ListEscalationEventsResponse> ListEscalationEvents(ListEscalationEventsRequest request, ServerCallContext context)
    {
        var region = context.ReadRegion(request.Parent, regions, "parent");
        var page = Paging.Read(request.PageSize, request.PageToken);
        var all = await grains.GetRegionGrain(region).GetEscalationEvents(context.Reader().Sectors);
        var response = new ListEscalationEventsResponse { NextPageToken = page.NextToken(all.Length) };
        response.Events.AddRange(page.Of(all).Select(ApiMapper.ToApi));
        return response;
    }

    // The calls below read the region named in the request (regions/{code}) and what lies
    // under it, so the caller's scope must hold that region; a sector office's are counted over
    // its sectors only (the towns filter their hazards, see IRegionGrain).

    public override async Task<Api.V1.RegionStatistics> GetRegionStatistics(GetRegionStatisticsRequest request, ServerCallContext context)
    {
        var region = context.ReadRegion(request.Name, regions);
        var period = StatisticsMapper.ToDomain(request.Period);
        return StatisticsMapper.ToApi(await grains.GetRegionGrain(region).GetStatistics(period, context.Reader().Sectors), request.Period);
    }

    public override async Task<ListRegionRankingResponse> ListRegionRanking(ListRegionRankingRequest request, ServerCallContext context)
    {
        var region = context.ReadRegion(request.Parent, regions, "parent");
        if (region.Level == Regions.RegionLevel.Town)
        {
            throw Common.DomainException.Invalid("parent", $"'{request.Parent}' is a town: it has no child regions to rank; name its county");
        }

        var key = StatisticsMapper.ToDomain(request.Key);
        return StatisticsMapper.ToApi(await grains.Reference<IRollupGrain>(region.Code).GetRanking(key, request.BestFirst, context.Reader().Sectors));
    }

    public override async Task<Api.V1.CampaignProgress> GetCampaignProgress(GetCampaignProgressRequest request, ServerCallContext context)
    {
        var region = context.ReadRegion(request.Name, regions);
        var kind = StatisticsMapper.ToDomain(request.IncrementPeriod);
        return StatisticsMapper.ToApi(await grains.GetRegionGrain(region).GetCampaignProgress(kind, context.Reader().Sectors), request.IncludeChildren);
    }

    public override async Task<MonthlyCircular> GetMonthlyCircular(GetMonthlyCircularRequest request, ServerCallContext context)
    {
        var region = context.ReadRegion(request.Name, regions);
        var month = CircularReader.ParseMonth(request.Month);
        printer.Prepare(CircularHtml.WarmUpPage); // the console's circular page: its PDF link is likely next
        return Scoped(CircularMapper.ToApi(await circulars.Read(region, month, context.Reader().Sectors), request.Month, regions), context);
    }

    /// <summary>A sector office's circular says which sectors it counts.</summary>
    private static MonthlyCircular Scoped(MonthlyCircular circular, ServerCallContext context)
    {
        if (context.Reader().Sectors is { } sectors)
        {
            circular.Sectors.AddRange(sectors.Sectors.Items.Select(ApiMapper.ToApi));
        }

        return circular;
    }

    /// <summary>The circular as a file. Over HTTP/JSON transcoding answers the HttpBody as the raw
    /// response body with its content type; the file name goes in a header set here.</summary>
    public override async Task<HttpBody> ExportMonthlyCircular(ExportMonthlyCircularRequest request, ServerCallContext context)
    {
        var region = context.ReadRegion(request.Name, regions);
        var month = CircularReader.ParseMonth(request.Month);
        var format = CircularDocuments.ParseFormat(request.Format);
        if (format == CircularFormat.Pdf)
        {
            printer.EnsureAvailable(); // before the grains are asked for anything
            printer.StartBrowser(); // while they are
        }

        var circular = Scoped(CircularMapper.ToApi(await circulars.Read(region, month, context.Reader().Sectors), request.Month, regions), context);
        var document = await CircularDocuments.Render(circular, format, printer, context.CancellationToken);
        var headers = context.GetHttpContext().Response.Headers;
        headers.ContentDisposition = CircularDocuments.ContentDisposition(circular, format);
        headers.XContentTypeOptions = "nosniff";
        if (format == CircularFormat.Html)
        {
            // The page needs nothing but its own inline style: a name that slipped through
            // encoding could still run nothing and load nothing.
            headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'";
        }

        return document;
    }
}
