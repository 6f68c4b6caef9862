using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Gateway.Security;
using HazardGrid.Regions;
using HazardGrid.Rollups;
using HazardGrid.Tips;

namespace HazardGrid.Gateway.Services;

/// <summary>
/// Translates TipService calls. Writes go to the county's tip desk (a new tip) or the tip grain
/// (its changes), with the caller's scope; reads decide here who sees the tipster: only the
/// handling office, a caller whose region is exactly the tip's county. Nothing here logs.
/// </summary>
public sealed class TipApi(IGrainFactory grains, RegionCatalog regions) : TipService.TipServiceBase
{
    private const string Tips = "tips/";

    public override async Task<Tip> ReportTip(ReportTipRequest request, ServerCallContext context)
    {
        var write = context.SystemWrite(request.RequestId);
        var tip = request.Tip ?? throw DomainException.Invalid("tip", "is required");
        string town;
        string? creditCode = null;
        if (tip.Enterprise.Length > 0)
        {
            creditCode = UnifiedSocialCreditCode.Validate(tip.Enterprise, "tip.enterprise");
            town = (await context.ReadEnterprise(grains, creditCode, "tip.enterprise")).Profile.TownCode;
        }
        else
        {
            town = TextLimits.Required(tip.Town, "tip.town", 12);
            if (!regions.TryGet(town, out var region) || region.Level != Regions.RegionLevel.Town)
            {
                throw DomainException.Invalid("tip.town", $"'{town}' is not a town of the Shandong division tree");
            }
        }

        var caller = context.Caller();
        if (!caller.CanWrite(town))
        {
            throw caller.Scope.OutOfScope(creditCode is null ? "tip.town" : "tip.enterprise", $"town {town}");
        }

        var report = new TipReport(
            ToDomain(tip.Channel), creditCode, town, tip.Address, tip.Content, tip.ReceiveTime is { } at ? ApiMapper.ToDomain(at, "tip.receive_time") : null,
            tip.Tipster is { } person ? new TipsterIdentity(person.Name, person.Phone) : null);
        var recorded = await grains.Reference<ITipDeskGrain>(town[..6]).Report(report, write);
        return ToApi(recorded, caller);
    }

    public override async Task<Tip> GetTip(GetTipRequest request, ServerCallContext context)
    {
        context.TipReader();
        var id = ParseTip(request.Name, "name");
        var tip = await context.ReadInScope(
            () => grains.Reference<IRewardedTipGrain>(id).Get(), t => t.Tip.TownCode, "name", $"tip {request.Name}",
            () => Task.FromResult<string?>(TipKey.Parse(id).CountyCode));
        return ToApi(tip, context.Caller());
    }

    public override async Task<ListTipsResponse> ListTips(ListTipsRequest request, ServerCallContext context)
    {
        context.TipReader();
        var region = context.ReadRegion(request.Parent, regions, "parent");
        var size = Paging.SizeOf(request.PageSize);
        var fingerprint = PageTokens.Fingerprint(request.Parent);
        var after = PageTokens.ReadTips(request.PageToken, fingerprint);
        if (after is not null)
        {
            ParseTip(Tips + after, "page_token");
        }

        // Every town under the region is asked for a page after the last tip returned; all share
        // one order (county, then number), so merging their pages gives the next page of the region.
        var towns = region.Level == Regions.RegionLevel.Town
            ? [region.Code]
            : regions.All.Where(r => r.Level == Regions.RegionLevel.Town && r.Code.StartsWith(region.Code, StringComparison.Ordinal)).Select(r => r.Code).ToList();
        var pages = await Task.WhenAll(towns.Select(t => grains.Reference<ITownGrain>(t).ListTips(after, size)));
        var merged = pages.SelectMany(p => p.Tips).ToList();
        merged.Sort((a, b) => TipKey.Compare(a.TipId, b.TipId));
        var page = merged.Take(size).ToList();
        var more = merged.Count > size || pages.Any(p => p.More);
        var now = pages.Length == 0 ? DateTimeOffset.UtcNow : pages.Max(p => p.AsOf);
        var response = new ListTipsResponse
        {
            NextPageToken = more && page.Count > 0 ? PageTokens.WriteTips(page[^1].TipId, fingerprint) : string.Empty,
        };
        response.Tips.AddRange(page.Select(t => ToApi(t, now)));
        return response;
    }

    public override Task<Tip> VerifyTip(VerifyTipRequest request, ServerCallContext context) => Change(request.Name, request.RequestId, context, request.FindingCase switch
    {
        VerifyTipRequest.FindingOneofCase.AsHazard => new VerifyTipAsHazard(
            request.AsHazard.Enterprise is { Length: > 0 } code ? UnifiedSocialCreditCode.Validate(code, "as_hazard.enterprise") : null,
            ApiMapper.ToDomain(request.AsHazard.Sector, "as_hazard.sector"),
            request.AsHazard.Criterion, request.AsHazard.Location, request.AsHazard.Description,
            request.AsHazard.FoundTime is { } found ? ApiMapper.ToDomain(found, "as_hazard.found_time") : null, request.AsHazard.Note),
        VerifyTipRequest.FindingOneofCase.AsViolation => new VerifyTipAsViolation(request.AsViolation.Note),
        _ => throw DomainException.Invalid("as_hazard", "is required: verify the tip as_hazard or as_violation"),
    });

    public override Task<Tip> DismissTip(DismissTipRequest request, ServerCallContext context) =>
        Change(request.Name, request.RequestId, context, new Tips.DismissTip(request.Reason));

    public override Task<Tip> DecideTipReward(DecideTipRewardRequest request, ServerCallContext context) =>
        Change(request.Name, request.RequestId, context, new DecideTipReward(request.AmountFen, request.Note));

    public override Task<Tip> RecordTipRewardPayment(RecordTipRewardPaymentRequest request, ServerCallContext context) =>
        Change(request.Name, request.RequestId, context, new RecordTipRewardPayment(request.PayTime is { } paid ? ApiMapper.ToDomain(paid, "pay_time") : null, request.PaymentReference));

    private async Task<Tip> Change(string name, string requestId, ServerCallContext context, TipCommand command)
    {
        var write = context.SystemWrite(requestId);
        var id = ParseTip(name, "name");
        var tip = await grains.Reference<IRewardedTipGrain>(id).Execute(command, write);
        return ToApi(tip, context.Caller());
    }

    /// <summary><c>tips/{county_code}/{number}</c> → the tip's key, <c>{county_code}/{number}</c>.</summary>
    private string ParseTip(string? name, string field)
    {
        const string Form = "tips/{county_code}/{number}";
        if (string.IsNullOrEmpty(name))
        {
            throw DomainException.Invalid(field, $"is required: the tip's resource name, {Form}");
        }

        if (name.Split('/') is not ["tips", var county, var number]
            || !regions.TryGet(county, out var region) || region.Level != Regions.RegionLevel.County
            || !int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
        {
            throw DomainException.Invalid(field, $"'{name}' is not of the form {Form} (a county of the division tree, a number from 1)");
        }

        return new TipKey(county, n).ToString();
    }

    /// <summary>The whole tip; the tipster only for the handling office (the caller's region is the tip's county).</summary>
    public static Tip ToApi(TipView view, Caller caller)
    {
        var t = view.Tip;
        var result = ToApi(t.Facts, view.AsOf);
        result.Address = t.Address ?? string.Empty;
        result.Content = t.Content;
        result.Note = t.Note ?? string.Empty;
        result.PaymentReference = t.PaymentReference ?? string.Empty;
        result.VerificationDueProvisional = t.VerificationDueProvisional;
        result.RewardDecideTime = t.RewardDecidedAt is { } decided ? Timestamp.FromDateTimeOffset(decided) : null;
        if (t.Tipster is { } person && caller.Region == t.CountyCode && caller.Sectors is null)
        {
            result.Tipster = new Tipster { Name = person.Name, Phone = person.Phone ?? string.Empty };
        }

        return result;
    }

    /// <summary>A list item: the facts the town holds, which carry no identity.</summary>
    private static Tip ToApi(TipFacts t, DateTimeOffset now) => new()
    {
        Name = Tips + t.TipId,
        Version = t.Version,
        Channel = ToApi(t.Channel),
        Town = t.TownCode,
        Enterprise = t.CreditCode ?? string.Empty,
        Anonymous = t.Anonymous,
        ReceiveTime = Timestamp.FromDateTimeOffset(t.ReceivedAt),
        VerificationDueTime = Timestamp.FromDateTimeOffset(t.VerificationDueAt),
        VerificationOverdue = t.IsVerificationOverdueAt(now),
        State = (TipState)(int)t.Status,
        Finding = t.Finding is { } finding ? (Api.V1.TipFinding)(int)finding : Api.V1.TipFinding.Unspecified,
        Hazard = t.HazardId is { } hazard ? ResourceNames.Hazard(hazard) : string.Empty,
        ResolveTime = t.ResolvedAt is { } resolved ? Timestamp.FromDateTimeOffset(resolved) : null,
        RewardFen = t.RewardFen ?? 0,
        PayTime = t.PaidAt is { } paid ? Timestamp.FromDateTimeOffset(paid) : null,
        UpdateTime = Timestamp.FromDateTimeOffset(t.UpdatedAt),
    };

    public static Api.V1.TipChannel ToApi(Tips.TipChannel channel) => (Api.V1.TipChannel)(int)channel;

    public static Api.V1.TipState ToApi(TipStatus status) => (TipState)(int)status;

    public static Api.V1.TipFinding ToApi(Tips.TipFinding finding) => (Api.V1.TipFinding)(int)finding;

    private static Tips.TipChannel ToDomain(Api.V1.TipChannel channel) => (Tips.TipChannel)(int)channel;
}
