using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Notifications;

namespace HazardGrid.Gateway.Services;

/// <summary>Translates EnterpriseService calls to the enterprise and notification grains.</summary>
public sealed class EnterpriseApi(IGrainFactory grains) : EnterpriseService.EnterpriseServiceBase
{
    public override async Task<Api.V1.Enterprise> RegisterEnterprise(RegisterEnterpriseRequest request, ServerCallContext context)
    {
        var write = context.Write(request.RequestId);
        if (request.Enterprise is null)
        {
            throw DomainException.Invalid("enterprise", "is required");
        }

        var code = UnifiedSocialCreditCode.Validate(request.Enterprise.CreditCode, "enterprise.credit_code");
        var enterprise = await grains.GetGrain<IEnterpriseGrain>(code).Register(ApiMapper.ToDomain(request.Enterprise), write);
        return ApiMapper.ToApi(enterprise);
    }

    public override async Task<Api.V1.Enterprise> GetEnterprise(GetEnterpriseRequest request, ServerCallContext context)
    {
        var code = ResourceNames.ParseEnterprise(request.Name, "name");
        return ApiMapper.ToApi(await grains.GetGrain<IEnterpriseGrain>(code).Get());
    }

    public override async Task<Api.V1.FatalAccident> ReportFatalAccident(ReportFatalAccidentRequest request, ServerCallContext context)
    {
        var write = context.Write(request.RequestId);
        var code = ResourceNames.ParseEnterprise(request.Parent, "parent");
        if (request.Accident is null)
        {
            throw DomainException.Invalid("accident", "is required");
        }

        var report = new Escalations.FatalAccidentReport(ApiMapper.ToDomain(request.Accident.OccurredTime), request.Accident.Deaths, request.Accident.Description);
        return ApiMapper.ToApi(await grains.GetGrain<IEnterpriseGrain>(code).ReportFatalAccident(report, write));
    }

    public override async Task<ListNotificationsResponse> ListNotifications(ListNotificationsRequest request, ServerCallContext context)
    {
        var code = ResourceNames.ParseEnterprise(request.Parent, "parent");
        var response = new ListNotificationsResponse();
        response.Notifications.AddRange((await grains.GetGrain<IEnterpriseGrain>(code).ListNotifications()).Select(ApiMapper.ToApi));
        return response;
    }
}
