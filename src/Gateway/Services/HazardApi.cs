using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Gateway.Security;
using HazardGrid.Hazards;
using HazardGrid.Queries;
using HazardGrid.Regions;
using Google.Protobuf.WellKnownTypes;

namespace HazardGrid.Gateway.Services;

/// <summary>Translates HazardService calls. Writes go through the hazard's enterprise, which
/// orders them and hands the results to the rollups; reads go to the hazard grain.</summary>
public sealed class HazardApi(IGrainFactory grains, RegionCatalog regions) : HazardService.HazardServiceBase
{
    /// <summary>
    /// Reads hazards of the region or enterprise named by <c>parent</c> (the resource a scope
    /// check guards): a region's from the city indexes under it, an enterprise's from its city's.
    /// </summary>
    public override async Task<ListHazardsResponse> ListHazards(ListHazardsRequest request, ServerCallContext context)
    {
        var scope = await ListScope(request.Parent, context);
        var size = Paging.SizeOf(request.PageSize);
        var filter = ListMapper.ToDomain(request.Filter);
        filter = filter with { Sectors = context.Reader().ListSectors(filter.Sectors, "filter.sectors") }; // a sector office's sectors only
        var order = ListMapper.ToDomain(request.OrderBy);
        var fingerprint = PageTokens.Fingerprint(request.Parent, request.Filter, new Int32Value { Value = (int)order });
        var position = PageTokens.ReadHazards(request.PageToken, fingerprint);
        var page = await grains.GetGrain<IHazardListGrain>(0).List(new HazardListRequest(scope, filter, order, size, position));
        var response = new ListHazardsResponse
        {
            NextPageToken = page.Next is { } next ? PageTokens.Write(next, fingerprint) : string.Empty,
            TotalSize = page.Total,
        };
        response.Hazards.AddRange(page.Hazards.Select(ListMapper.ToApi));
        return response;
    }

    /// <summary><c>regions/{code}</c> or <c>enterprises/{credit_code}</c>, in the caller's scope: the
    /// region itself, or the town of the enterprise (read from the enterprise, as GetEnterprise does).</summary>
    private async Task<HazardListScope> ListScope(string? parent, ServerCallContext context)
    {
        if (parent?.StartsWith("enterprises/", StringComparison.Ordinal) == true)
        {
            var code = ResourceNames.ParseEnterprise(parent, "parent");
            await context.ReadEnterprise(grains, code, "parent");
            return new HazardListScope(null, code);
        }

        return parent?.StartsWith("regions/", StringComparison.Ordinal) == true
            ? new HazardListScope(context.ReadRegion(parent, regions, "parent").Code, null)
            : throw DomainException.Invalid("parent", $"'{parent}' is neither regions/{{division_code}} nor enterprises/{{credit_code}}");
    }

    public override async Task<ReportHazardResponse> ReportHazard(ReportHazardRequest request, ServerCallContext context)
    {
        var write = context.SystemWrite(request.RequestId);
        var code = ResourceNames.ParseEnterprise(request.Parent, "parent");
        var outcome = await grains.Reference<IEnterpriseGrain>(code).ReportHazard(ApiMapper.ToDomain(code, request.Hazard), write);
        return new ReportHazardResponse { Hazard = ApiMapper.ToApi(outcome.Hazard), Created = outcome.Created };
    }

    // Each single update is a batch of one without the batch's path: one translation for both.
    public override Task<Hazard> StartRectification(StartRectificationRequest request, ServerCallContext context) =>
        Single(new Api.V1.HazardUpdate { StartRectification = request }, context);

    public override Task<Hazard> RecordProgress(RecordProgressRequest request, ServerCallContext context) =>
        Single(new Api.V1.HazardUpdate { RecordProgress = request }, context);

    public override Task<Hazard> SubmitForVerification(SubmitForVerificationRequest request, ServerCallContext context) =>
        Single(new Api.V1.HazardUpdate { SubmitForVerification = request }, context);

    public override Task<Hazard> ReturnForRectification(ReturnForRectificationRequest request, ServerCallContext context) =>
        Single(new Api.V1.HazardUpdate { ReturnForRectification = request }, context);

    public override Task<Hazard> ConfirmRectification(ConfirmRectificationRequest request, ServerCallContext context) =>
        Single(new Api.V1.HazardUpdate { ConfirmRectification = request }, context);

    public override Task<Hazard> CloseHazard(CloseHazardRequest request, ServerCallContext context) =>
        Single(new Api.V1.HazardUpdate { CloseHazard = request }, context);

    public override Task<Hazard> WithdrawHazard(WithdrawHazardRequest request, ServerCallContext context) =>
        Single(new Api.V1.HazardUpdate { WithdrawHazard = request }, context);

    public override Task<Hazard> ExtendDeadline(ExtendDeadlineRequest request, ServerCallContext context) =>
        Single(new Api.V1.HazardUpdate { ExtendDeadline = request }, context);

    public override Task<Hazard> RaiseSupervisionLevel(RaiseSupervisionLevelRequest request, ServerCallContext context) =>
        Single(new Api.V1.HazardUpdate { RaiseSupervisionLevel = request }, context);

    public override Task<Hazard> RequestExtension(RequestExtensionRequest request, ServerCallContext context) =>
        Single(new Api.V1.HazardUpdate { RequestExtension = request }, context);

    public override Task<Hazard> DecideExtension(DecideExtensionRequest request, ServerCallContext context) =>
        Single(new Api.V1.HazardUpdate { DecideExtension = request }, context);

    public override Task<Hazard> ReplanHazard(ReplanHazardRequest request, ServerCallContext context) =>
        Single(new Api.V1.HazardUpdate { ReplanHazard = request }, context);

    public override async Task<Hazard> GetHazard(GetHazardRequest request, ServerCallContext context)
    {
        var key = ResourceNames.ParseHazard(request.Name);
        var hazard = await context.ReadInScope(
            () => grains.Reference<IMajorHazardGrain>(key.ToString()).Get(), h => h.Hazard.TownCode, "name", $"hazard {request.Name}",
            townIfMissing: () => TownOfEnterprise(key.CreditCode));
        context.Reader().RequireSector(hazard.Hazard.Sector, "name", $"hazard {request.Name}");
        return ApiMapper.ToApi(hazard);
    }

    /// <summary>The town of a registered enterprise; null when it is not registered.</summary>
    private async Task<string?> TownOfEnterprise(string code)
    {
        try
        {
            return (await grains.Reference<IEnterpriseGrain>(code).Get()).Profile.TownCode;
        }
        catch (DomainException missing) when (missing.Kind == DomainErrorKind.NotFound)
        {
            return null;
        }
    }

    /// <summary>Most updates one batch may carry: a county's backlog goes in many calls of this size.</summary>
    public const int MaxBatchUpdates = 500;

    public override async Task<BatchUpdateHazardsResponse> BatchUpdateHazards(BatchUpdateHazardsRequest request, ServerCallContext context)
    {
        if (request.Updates.Count == 0)
        {
            throw DomainException.Invalid("updates", "must hold at least one update");
        }

        if (request.Updates.Count > MaxBatchUpdates)
        {
            throw DomainException.Invalid("updates", $"holds {request.Updates.Count} updates; at most {MaxBatchUpdates} per call");
        }

        // Everything malformed is refused before anything is applied.
        var parsed = request.Updates.Select((update, i) => Parse(update, $"updates[{i}]", context)).ToList();

        // Each hazard's updates go to its enterprise together, in request order; hazards run side by side.
        var groups = parsed.Select((update, i) => (update, i)).GroupBy(x => x.update.Key).ToList();
        var outcomes = await Task.WhenAll(groups.Select(async group =>
        {
            try
            {
                var key = group.Key;
                var hazards = await grains.Reference<IEnterpriseGrain>(key.CreditCode).UpdateHazardTogether(key.Number, [.. group.Select(x => x.update.Update)]);
                return (Group: group, Hazards: hazards, Refused: (DomainException?)null);
            }
            catch (DomainException refused)
            {
                return (Group: group, Hazards: default(System.Collections.Immutable.ImmutableArray<MajorHazard>), Refused: refused);
            }
        }));

        // The refusal of the earliest refused update is the call's answer; other hazards' updates stand.
        if (outcomes.Where(o => o.Refused is not null).OrderBy(o => o.Group.First().i).Select(o => o.Refused).FirstOrDefault() is { } first)
        {
            throw first;
        }

        var answers = new Hazard[parsed.Count];
        foreach (var (group, hazards, _) in outcomes)
        {
            foreach (var ((_, index), hazard) in group.Zip(hazards))
            {
                answers[index] = ApiMapper.ToApi(hazard);
            }
        }

        var response = new BatchUpdateHazardsResponse();
        response.Hazards.AddRange(answers);
        return response;
    }

    private async Task<Hazard> Single(Api.V1.HazardUpdate update, ServerCallContext context)
    {
        var (name, _, command, requestId) = Describe(update, "request");
        var write = Write(update, requestId, context, "credential.role");
        var domain = command();
        return await Update(name, domain, write);
    }

    private static (HazardKey Key, Hazards.HazardUpdate Update) Parse(Api.V1.HazardUpdate update, string path, ServerCallContext context)
    {
        var (name, field, command, requestId) = Describe(update, path);
        var at = $"{path}.{field}";
        var write = Write(update, requestId, context, path); // a refusal of the caller names the entry
        try
        {
            return (ResourceNames.ParseHazard(name), new Hazards.HazardUpdate(at, command(), write));
        }
        catch (DomainException refused)
        {
            throw new DomainException(refused.Kind, $"{at}.{refused.Field}", refused.Reason);
        }
    }

    /// <summary>Supervisors decide (extend a deadline, raise the level, decide an extension request,
    /// re-plan the ladder); systems make every other update, an extension request included (on the
    /// enterprise's behalf). Where the hazard is, and at which level, the enterprise grain checks.</summary>
    private static WriteRequest Write(Api.V1.HazardUpdate update, string requestId, ServerCallContext context, string field) =>
        update.UpdateCase is Api.V1.HazardUpdate.UpdateOneofCase.ExtendDeadline or Api.V1.HazardUpdate.UpdateOneofCase.RaiseSupervisionLevel
            or Api.V1.HazardUpdate.UpdateOneofCase.DecideExtension or Api.V1.HazardUpdate.UpdateOneofCase.ReplanHazard
            ? context.SupervisorDecision(requestId, field)
            : context.SystemWrite(requestId, field);

    /// <summary>The update's hazard name, its wire field, how to build its command, and its request id.</summary>
    private static (string Name, string Field, Func<HazardCommand> Command, string RequestId) Describe(Api.V1.HazardUpdate update, string path) =>
        update.UpdateCase switch
        {
            Api.V1.HazardUpdate.UpdateOneofCase.StartRectification => (update.StartRectification.Name, "start_rectification",
                (Func<HazardCommand>)(() => new StartRectification(ApiMapper.ToDomain(update.StartRectification.Deadline, "deadline"), update.StartRectification.Plan)), update.StartRectification.RequestId),
            Api.V1.HazardUpdate.UpdateOneofCase.RecordProgress => (update.RecordProgress.Name, "record_progress",
                () => new RecordProgress(update.RecordProgress.ProgressPercent, update.RecordProgress.Note), update.RecordProgress.RequestId),
            Api.V1.HazardUpdate.UpdateOneofCase.SubmitForVerification => (update.SubmitForVerification.Name, "submit_for_verification",
                () => new SubmitForVerification(update.SubmitForVerification.Note), update.SubmitForVerification.RequestId),
            Api.V1.HazardUpdate.UpdateOneofCase.ReturnForRectification => (update.ReturnForRectification.Name, "return_for_rectification",
                () => new ReturnForRectification(update.ReturnForRectification.Reason), update.ReturnForRectification.RequestId),
            Api.V1.HazardUpdate.UpdateOneofCase.ConfirmRectification => (update.ConfirmRectification.Name, "confirm_rectification",
                () => new ConfirmRectification(ApiMapper.ToDomain(update.ConfirmRectification.Confirmation, "confirmation")), update.ConfirmRectification.RequestId),
            Api.V1.HazardUpdate.UpdateOneofCase.CloseHazard => (update.CloseHazard.Name, "close_hazard",
                () => new Hazards.CloseHazard(ApiMapper.ToDomain(update.CloseHazard.Confirmations)), update.CloseHazard.RequestId),
            Api.V1.HazardUpdate.UpdateOneofCase.WithdrawHazard => (update.WithdrawHazard.Name, "withdraw_hazard",
                () => new Hazards.WithdrawHazard(update.WithdrawHazard.Invalid, update.WithdrawHazard.Reason), update.WithdrawHazard.RequestId),
            Api.V1.HazardUpdate.UpdateOneofCase.ExtendDeadline => (update.ExtendDeadline.Name, "extend_deadline",
                () => new Hazards.ExtendDeadline(ApiMapper.ToDomain(update.ExtendDeadline.Deadline, "deadline"), update.ExtendDeadline.Reason, update.ExtendDeadline.DecidedBy), update.ExtendDeadline.RequestId),
            Api.V1.HazardUpdate.UpdateOneofCase.RaiseSupervisionLevel => (update.RaiseSupervisionLevel.Name, "raise_supervision_level",
                () => new Hazards.RaiseSupervisionLevel(update.RaiseSupervisionLevel.Reason, update.RaiseSupervisionLevel.DecidedBy), update.RaiseSupervisionLevel.RequestId),
            Api.V1.HazardUpdate.UpdateOneofCase.RequestExtension => (update.RequestExtension.Name, "request_extension",
                () => new Hazards.RequestExtension(ApiMapper.ToDomain(update.RequestExtension.Deadline, "deadline"), update.RequestExtension.Reason), update.RequestExtension.RequestId),
            Api.V1.HazardUpdate.UpdateOneofCase.DecideExtension => (update.DecideExtension.Name, "decide_extension",
                () => new Hazards.DecideExtension(update.DecideExtension.Approve, update.DecideExtension.Reason, update.DecideExtension.DecidedBy), update.DecideExtension.RequestId),
            Api.V1.HazardUpdate.UpdateOneofCase.ReplanHazard => (update.ReplanHazard.Name, "replan_hazard",
                () => new Hazards.ReplanLadder(update.ReplanHazard.Reason, update.ReplanHazard.DecidedBy), update.ReplanHazard.RequestId),
            _ => throw DomainException.Invalid(path, "must hold one update (start_rectification, record_progress, …)"),
        };

    private async Task<Hazard> Update(string name, HazardCommand command, WriteRequest write)
    {
        var key = ResourceNames.ParseHazard(name);
        var hazard = await grains.Reference<IEnterpriseGrain>(key.CreditCode).UpdateHazard(key.Number, command, write);
        return ApiMapper.ToApi(hazard);
    }
}
