using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Hazards;

namespace HazardGrid.Gateway.Services;

/// <summary>Translates HazardService calls. Writes go through the hazard's enterprise, which
/// orders them and hands the results to the rollups; reads go to the hazard grain.</summary>
public sealed class HazardApi(IGrainFactory grains) : HazardService.HazardServiceBase
{
    public override async Task<ReportHazardResponse> ReportHazard(ReportHazardRequest request, ServerCallContext context)
    {
        var write = context.Write(request.RequestId);
        var code = ResourceNames.ParseEnterprise(request.Parent, "parent");
        var outcome = await grains.GetGrain<IEnterpriseGrain>(code).ReportHazard(ApiMapper.ToDomain(code, request.Hazard), write);
        return new ReportHazardResponse { Hazard = ApiMapper.ToApi(outcome.Hazard), Created = outcome.Created };
    }

    public override Task<Hazard> StartRectification(StartRectificationRequest request, ServerCallContext context) =>
        Update(request.Name, new StartRectification(ApiMapper.ToDomain(request.Deadline), request.Plan), context.Write(request.RequestId));

    public override Task<Hazard> RecordProgress(RecordProgressRequest request, ServerCallContext context) =>
        Update(request.Name, new RecordProgress(request.ProgressPercent, request.Note), context.Write(request.RequestId));

    public override Task<Hazard> SubmitForVerification(SubmitForVerificationRequest request, ServerCallContext context) =>
        Update(request.Name, new SubmitForVerification(request.Note), context.Write(request.RequestId));

    public override Task<Hazard> ReturnForRectification(ReturnForRectificationRequest request, ServerCallContext context) =>
        Update(request.Name, new ReturnForRectification(request.Reason), context.Write(request.RequestId));

    public override Task<Hazard> ConfirmRectification(ConfirmRectificationRequest request, ServerCallContext context) =>
        Update(request.Name, new ConfirmRectification(ApiMapper.ToDomain(request.Confirmation, "confirmation")), context.Write(request.RequestId));

    public override Task<Hazard> CloseHazard(CloseHazardRequest request, ServerCallContext context) =>
        Update(request.Name, new Hazards.CloseHazard(ApiMapper.ToDomain(request.Confirmations)), context.Write(request.RequestId));

    public override Task<Hazard> WithdrawHazard(WithdrawHazardRequest request, ServerCallContext context) =>
        Update(request.Name, new Hazards.WithdrawHazard(request.Invalid, request.Reason), context.Write(request.RequestId));

    public override Task<Hazard> ExtendDeadline(ExtendDeadlineRequest request, ServerCallContext context) =>
        Update(request.Name, new Hazards.ExtendDeadline(ApiMapper.ToDomain(request.Deadline), request.Reason, request.DecidedBy), context.Write(request.RequestId));

    public override Task<Hazard> RaiseSupervisionLevel(RaiseSupervisionLevelRequest request, ServerCallContext context) =>
        Update(request.Name, new Hazards.RaiseSupervisionLevel(request.Reason, request.DecidedBy), context.Write(request.RequestId));

    public override async Task<Hazard> GetHazard(GetHazardRequest request, ServerCallContext context)
    {
        var key = ResourceNames.ParseHazard(request.Name);
        return ApiMapper.ToApi(await grains.GetGrain<IMajorHazardGrain>(key.ToString()).Get());
    }

    private async Task<Hazard> Update(string name, HazardCommand command, WriteRequest write)
    {
        var key = ResourceNames.ParseHazard(name);
        var hazard = await grains.GetGrain<IEnterpriseGrain>(key.CreditCode).UpdateHazard(key.Number, command, write);
        return ApiMapper.ToApi(hazard);
    }
}
