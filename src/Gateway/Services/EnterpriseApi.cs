using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Gateway.Security;
using HazardGrid.Notifications;
using HazardGrid.Queries;
using HazardGrid.Regions;

namespace HazardGrid.Gateway.Services;

/// <summary>Translates EnterpriseService calls to enterprise grains (which gather their hazards' notifications).</summary>
public sealed class EnterpriseApi(IGrainFactory grains, RegionCatalog regions) : EnterpriseService.EnterpriseServiceBase
{
    /// <summary>Reads the enterprise directories of the towns under the region named by <c>parent</c>
    /// (the resource a scope check guards).</summary>
    public override async Task<ListEnterprisesResponse> ListEnterprises(ListEnterprisesRequest request, ServerCallContext context)
    {
        var region = context.ReadRegion(request.Parent, regions, "parent");
        var size = Paging.SizeOf(request.PageSize);
        var caller = context.Reader();
        var filter = ListMapper.ToDomain(request);
        // A sector office lists enterprises of its sectors, with their open hazards and watch list judged on those sectors alone.
        filter = filter with { Sectors = caller.ListSectors(filter.Sectors, "sectors"), Scope = caller.Sectors };
        var fingerprint = PageTokens.Fingerprint(request.Parent, new ListEnterprisesRequest(request) { Parent = string.Empty, PageSize = 0, PageToken = string.Empty });
        var after = PageTokens.ReadEnterprises(request.PageToken, fingerprint);
        var page = await grains.GetGrain<IEnterpriseListGrain>(0).List(region.Code, filter, after, size);
        var response = new ListEnterprisesResponse
        {
            NextPageToken = page.More && page.Enterprises.Length > 0 ? PageTokens.Write(page.Enterprises[^1].CreditCode, fingerprint) : string.Empty,
        };
        response.Enterprises.AddRange(page.Enterprises.Select(ListMapper.ToApi));
        return response;
    }

    /// <summary>Most entries one batch may carry.</summary>
    public const int MaxBatchEntries = 500;

    public override async Task<Api.V1.Enterprise> RegisterEnterprise(RegisterEnterpriseRequest request, ServerCallContext context)
    {
        var (code, profile, write) = Parse(request, context);
        return ApiMapper.ToApi(await grains.Reference<IEnterpriseGrain>(code).Register(profile, write));
    }

    public override async Task<BatchRegisterEnterprisesResponse> BatchRegisterEnterprises(BatchRegisterEnterprisesRequest request, ServerCallContext context)
    {
        if (request.Requests.Count == 0 || request.Requests.Count > MaxBatchEntries)
        {
            throw DomainException.Invalid("requests", $"holds {request.Requests.Count} entries; from 1 to {MaxBatchEntries} per call");
        }

        // Malformed entries are refused before any is applied; then every enterprise on its own.
        var parsed = request.Requests.Select((entry, i) => Prefixed($"requests[{i}]", () => Parse(entry, context))).ToList();
        var outcomes = await Task.WhenAll(parsed.Select(async (entry, i) =>
        {
            try
            {
                return (Enterprise: await grains.Reference<IEnterpriseGrain>(entry.Code).Register(entry.Profile, entry.Write), Refused: (DomainException?)null);
            }
            catch (DomainException refused)
            {
                return (Enterprise: (Enterprises.Enterprise?)null, Refused: new DomainException(refused.Kind, $"requests[{i}].{refused.Field}", refused.Reason));
            }
        }));

        if (outcomes.Select(o => o.Refused).FirstOrDefault(r => r is not null) is { } first)
        {
            throw first;
        }

        var response = new BatchRegisterEnterprisesResponse();
        response.Enterprises.AddRange(outcomes.Select(o => ApiMapper.ToApi(o.Enterprise!)));
        return response;
    }

    private static (string Code, EnterpriseProfile Profile, WriteRequest Write) Parse(RegisterEnterpriseRequest request, ServerCallContext context)
    {
        var write = context.SystemWrite(request.RequestId);
        if (request.Enterprise is null)
        {
            throw DomainException.Invalid("enterprise", "is required");
        }

        var code = UnifiedSocialCreditCode.Validate(request.Enterprise.CreditCode, "enterprise.credit_code");
        return (code, ApiMapper.ToDomain(request.Enterprise), write);
    }

    private static T Prefixed<T>(string path, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (DomainException refused)
        {
            throw new DomainException(refused.Kind, $"{path}.{refused.Field}", refused.Reason);
        }
    }

    public override async Task<Api.V1.Enterprise> GetEnterprise(GetEnterpriseRequest request, ServerCallContext context)
    {
        var code = ResourceNames.ParseEnterprise(request.Name, "name");
        return ApiMapper.ToApi(await ReadEnterprise(code, "name", context));
    }

    public override async Task<Api.V1.FatalAccident> ReportFatalAccident(ReportFatalAccidentRequest request, ServerCallContext context)
    {
        var write = context.SystemWrite(request.RequestId);
        var code = ResourceNames.ParseEnterprise(request.Parent, "parent");
        if (request.Accident is null)
        {
            throw DomainException.Invalid("accident", "is required");
        }

        var report = new Accidents.FatalAccidentReport(ApiMapper.ToDomain(request.Accident.OccurredTime, "accident.occurred_time"), request.Accident.Deaths, request.Accident.Description);
        return ApiMapper.ToApi(await grains.Reference<IEnterpriseGrain>(code).ReportFatalAccident(report, write));
    }

    public override async Task<ListNotificationsResponse> ListNotifications(ListNotificationsRequest request, ServerCallContext context)
    {
        var code = ResourceNames.ParseEnterprise(request.Parent, "parent");
        await ReadEnterprise(code, "parent", context); // the town that decides who may read the notifications
        var notifications = await grains.Reference<IEnterpriseGrain>(code).ListNotifications();
        if (context.Reader().Sectors is { } sectors)
        {
            // A sector office reads the notices of its sectors' hazards only: each hazard knows its sector.
            var hazards = notifications.Select(n => n.HazardId).Distinct(StringComparer.Ordinal).ToList();
            var sectorOf = (await Task.WhenAll(hazards.Select(id => grains.Reference<Hazards.IMajorHazardGrain>(id).Get())))
                .ToDictionary(h => h.Hazard.Id, h => h.Hazard.Sector, StringComparer.Ordinal);
            notifications = [.. notifications.Where(n => sectorOf.TryGetValue(n.HazardId, out var sector) && sectors.Includes(sector))];
        }

        var response = new ListNotificationsResponse();
        response.Notifications.AddRange(notifications.Select(ApiMapper.ToApi));
        return response;
    }

    /// <summary>Proof of notification: a delivery gateway's receipt, straight to the hazard that holds
    /// the notice (the hazard checks the caller's scope against its town; the town's figures do not
    /// change, so neither the enterprise nor the town is involved).</summary>
    public override async Task<Api.V1.Notification> RecordNoticeReceipt(RecordNoticeReceiptRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        if (caller.Role is not CallerRole.System)
        {
            throw DomainException.Denied("credential.role", $"a {Caller.Describe(caller.Role)} credential cannot record receipts; only a system's can");
        }

        var key = ResourceNames.ParseHazard(request.Hazard, "hazard");
        var receipt = ApiMapper.ToDomain(request, key.ToString());
        return ApiMapper.ToApi(await grains.Reference<Hazards.IMajorHazardGrain>(key.ToString()).RecordNoticeReceipt(receipt, caller.Scope));
    }

    private Task<Enterprises.Enterprise> ReadEnterprise(string code, string field, ServerCallContext context) =>
        context.ReadEnterprise(grains, code, field);
}
