using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Regions;
using HazardGrid.Rollups;

namespace HazardGrid.Gateway.Services;

/// <summary>Translates RegionService calls to region grains.</summary>
public sealed class RegionApi(IGrainFactory grains, RegionCatalog regions) : RegionService.RegionServiceBase
{
    /// <summary>How often a watch re-reads the region. Region status is an in-memory read, and
    /// polling keeps a watch alive across silo failures with no subscription to restore.</summary>
    public static readonly TimeSpan WatchPollInterval = TimeSpan.FromMilliseconds(250);

    public override async Task WatchRegionStatus(WatchRegionStatusRequest request, IServerStreamWriter<Api.V1.RegionStatus> responseStream, ServerCallContext context)
    {
        var region = ResourceNames.ParseRegion(request.Name, regions);
        var grain = grains.GetGrain<IRegionGrain>(region.Code);
        using var timer = new PeriodicTimer(WatchPollInterval);
        Rollups.RegionStatus? last = null;
        do
        {
            var status = await grain.GetStatus();
            if (last is null || Changed(last, status))
            {
                await responseStream.WriteAsync(ApiMapper.ToApi(status), context.CancellationToken);
                last = status;
            }
        }
        while (await WaitForTick(timer, context.CancellationToken));

        static bool Changed(Rollups.RegionStatus a, Rollups.RegionStatus b) =>
            !a.Figures.Equals(b.Figures) || a.LeadershipSummons != b.LeadershipSummons
            || !a.DirectReports.Select(r => r.Id).SequenceEqual(b.DirectReports.Select(r => r.Id));
    }

    private static async Task<bool> WaitForTick(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false; // the client went away
        }
    }

    public override async Task<Api.V1.RegionStatus> GetRegionStatus(GetRegionStatusRequest request, ServerCallContext context)
    {
        var region = ResourceNames.ParseRegion(request.Name, regions);
        return ApiMapper.ToApi(await grains.GetGrain<IRegionGrain>(region.Code).GetStatus());
    }

    public override async Task<ListWatchListResponse> ListWatchList(ListWatchListRequest request, ServerCallContext context)
    {
        var region = ResourceNames.ParseRegion(request.Parent, regions, "parent");
        var page = Paging.Read(request.PageSize, request.PageToken);
        var all = await grains.GetGrain<IRegionGrain>(region.Code).GetWatchList();
        var response = new ListWatchListResponse { NextPageToken = page.NextToken(all.Length) };
        response.Entries.AddRange(page.Of(all).Select(ApiMapper.ToApi));
        return response;
    }

    public override async Task<ListEscalationEventsResponse> ListEscalationEvents(ListEscalationEventsRequest request, ServerCallContext context)
    {
        var region = ResourceNames.ParseRegion(request.Parent, regions, "parent");
        var page = Paging.Read(request.PageSize, request.PageToken);
        var all = await grains.GetGrain<IRegionGrain>(region.Code).GetEscalationEvents();
        var response = new ListEscalationEventsResponse { NextPageToken = page.NextToken(all.Length) };
        response.Events.AddRange(page.Of(all).Select(ApiMapper.ToApi));
        return response;
    }
}
