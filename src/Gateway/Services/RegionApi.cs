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
}
