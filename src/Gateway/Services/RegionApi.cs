using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Regions;
using HazardGrid.Rollups;

namespace HazardGrid.Gateway.Services;

/// <summary>Translates RegionService calls to region grains.</summary>
public sealed class RegionApi(IGrainFactory grains, RegionCatalog regions) : RegionService.RegionServiceBase
{
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
