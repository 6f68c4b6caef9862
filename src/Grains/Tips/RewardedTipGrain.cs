using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Escalations;
using HazardGrid.Hazards;
using HazardGrid.Rollups;
using Microsoft.Extensions.Options;

namespace HazardGrid.Tips;

/// <summary>The persisted state of one tip: the record and its recent requests.</summary>
[GenerateSerializer, Alias("hg.TipState")]
public sealed record TipState
{
    [Id(0)] public RewardedTip? Tip { get; init; }
    [Id(1)] public RecentRequests<RewardedTip> Requests { get; init; } = RecentRequests<RewardedTip>.Empty;
}

/// <summary>
/// One rewarded tip (see <see cref="IRewardedTipGrain"/>). Applies <see cref="TipLifecycle"/>,
/// persists, then hands its facts to its town and answers: a write is acknowledged only once the
/// tip and the town's ledger both hold it. A verification as a major hazard registers the hazard
/// through its enterprise first, under a request id derived from the tip (<c>tip:{id}</c>), so a
/// retried verification lands on the same hazard whatever request id the client retries with.
/// <para>Nothing here logs, and no refusal quotes the tipster: the identity stays in this record.</para>
/// </summary>
[CollectionAgeLimit(Minutes = 1)]
public sealed class RewardedTipGrain(
    [PersistentState("tip", StorageNames.Store)] IPersistentState<TipState> state,
    DomainClock clock,
    EscalationPolicy policy,
    IOptions<TipOptions> options) : Grain, IRewardedTipGrain
{
    private string Id => this.GetPrimaryKeyString();

    public async Task<TipView> Receive(TipReport report, WriteRequest request)
    {
        var fingerprint = RequestFingerprint.Of(report);
        if (state.State.Requests.Find(request.RequestId, fingerprint) is { } earlier)
        {
            await Publish(state.State.Tip!);
            return View(earlier.Outcome);
        }

        if (state.State.Tip is { } taken)
        {
            // The desk hands each number out once; refuse rather than overwrite a record.
            throw DomainException.Precondition("request_id", $"tip {taken.Id} is already received under another request");
        }

        var now = clock.Now;
        var receivedAt = report.ReceivedAt ?? now;

        // Working days of the official calendar (as the ladder counts them); a due date beyond the
        // calendar's last year is counted Monday to Friday and marked provisional.
        var due = policy.Calendar.AddWorkingDaysProvisionally(receivedAt, options.Value.VerificationWorkingDays);
        var tip = TipLifecycle.Receive(Id, report, report.TownCode, now, due);
        await Store(tip, request, fingerprint);
        return View(tip);
    }

    public async Task<TipView> Execute(TipCommand command, WriteRequest request)
    {
        var tip = state.State.Tip;
        if (tip is null)
        {
            var county = TipKey.Parse(Id).CountyCode;
            throw request.Scope is { } scope && !scope.Covers(county)
                ? scope.OutOfScope("name", $"tip tips/{Id}")
                : DomainException.NotFound("name", $"no tip tips/{Id} was received");
        }

        request.Scope?.Require(tip.TownCode, "name", $"tip tips/{Id}");
        var fingerprint = RequestFingerprint.Of(command);
        if (state.State.Requests.Find(request.RequestId, fingerprint) is { } earlier)
        {
            await Publish(tip);
            return View(earlier.Outcome);
        }

        var now = clock.Now;
        var valid = TipLifecycle.Validate(command, now);
        string? hazardId = null;
        if (valid is VerifyTipAsHazard asHazard)
        {
            hazardId = await RegisterHazard(tip, asHazard, request);
        }

        var next = TipLifecycle.Apply(tip, valid, now, hazardId);
        await Store(next, request, fingerprint);
        return View(next);
    }

    public Task<TipView> Get() =>
        state.State.Tip is { } tip ? Task.FromResult(View(tip)) : throw DomainException.NotFound("name", $"no tip tips/{Id} was received");

    private TipView View(RewardedTip tip) => new(tip, clock.Now);

    /// <summary>Registers the major hazard the tip turned out to be, through the normal enterprise
    /// path (numbering, duplicate findings, notices, 直报, figures), with channel VerifiedTip.</summary>
    private async Task<string> RegisterHazard(RewardedTip tip, VerifyTipAsHazard command, WriteRequest request)
    {
        var code = TipLifecycle.HazardEnterprise(tip, command);
        if (!UnifiedSocialCreditCode.IsValid(code))
        {
            throw DomainException.Invalid("as_hazard.enterprise", "is not a valid Unified Social Credit Code");
        }

        // Another enterprise than the tip's own must be in the handling county: a hazard elsewhere
        // is another office's. (The tip's own enterprise is, by the tip's town.)
        if (code != tip.CreditCode)
        {
            string town;
            try
            {
                town = (await GrainFactory.Reference<IEnterpriseGrain>(code).Get()).Profile.TownCode;
            }
            catch (DomainException missing) when (missing.Kind == DomainErrorKind.NotFound)
            {
                throw DomainException.NotFound("as_hazard.enterprise", $"enterprise {code} is not registered");
            }

            if (!town.StartsWith(tip.CountyCode, StringComparison.Ordinal))
            {
                throw DomainException.Precondition("as_hazard.enterprise", $"enterprise {code} is in town {town}, outside county {tip.CountyCode}, which handles tip tips/{tip.Id}");
            }
        }

        // Found when the tip came in: the hazard existed then, and a retry computes the same report.
        var report = new HazardReport(
            code, ReportChannel.VerifiedTip, command.Sector, command.Criterion, command.Location, command.Description,
            command.FoundAt ?? tip.ReceivedAt, SupervisionLevel.County, tip.Id);
        try
        {
            var outcome = await GrainFactory.Reference<IEnterpriseGrain>(code)
                .ReportHazard(report, new WriteRequest($"tip:{tip.Id}", request.Actor) { Scope = request.Scope });
            return outcome.Hazard.Id;
        }
        catch (DomainException refused)
        {
            // The enterprise names the fields of ReportHazard; this request calls them as_hazard.*.
            var field = refused.Field switch
            {
                "parent" => "as_hazard.enterprise",
                "request_id" => "request_id",
                var f when f.StartsWith("hazard.", StringComparison.Ordinal) => "as_hazard." + f["hazard.".Length..],
                var f => f,
            };
            throw new DomainException(refused.Kind, field, refused.Reason);
        }
    }

    private async Task Store(RewardedTip tip, WriteRequest request, string fingerprint)
    {
        await state.WriteOrRollBackAsync(state.State with
        {
            Tip = tip,
            Requests = state.State.Requests.Add(new RecordedRequest<RewardedTip>(request.RequestId, fingerprint, tip)),
        }, this);
        await Publish(tip);
    }

    /// <summary>The town keeps only newer versions, so handing it the facts again (a retry after a
    /// crash between the two writes) is harmless.</summary>
    private Task Publish(RewardedTip tip) => GrainFactory.Reference<ITownGrain>(tip.TownCode).ApplyTipFacts([tip.Facts]);
}

/// <summary>The persisted state of a county's tip desk.</summary>
[GenerateSerializer, Alias("hg.TipDeskState")]
public sealed record TipDeskState
{
    [Id(0)] public int LastNumber { get; init; }

    /// <summary>Request id → the tip id it took.</summary>
    [Id(1)] public RecentRequests<string> Requests { get; init; } = RecentRequests<string>.Empty;
}

/// <summary>
/// A county's tip desk (see <see cref="ITipDeskGrain"/>). The number is stored with the request id
/// before the tip is written: a crash in between leaves the number taken, and the client's retry
/// (same request id) lands on it again; a number is never handed out twice.
/// </summary>
public sealed class TipDeskGrain(
    [PersistentState("tip-desk", StorageNames.Store)] IPersistentState<TipDeskState> state,
    DomainClock clock) : Grain, ITipDeskGrain
{
    public async Task<TipView> Report(TipReport report, WriteRequest request)
    {
        var county = this.GetPrimaryKeyString();
        if (!report.TownCode.StartsWith(county, StringComparison.Ordinal))
        {
            // The gateway resolves the town; a tip elsewhere is a programming error, not a request.
            throw new InvalidOperationException($"a tip in town {report.TownCode} reached the desk of county {county}");
        }

        request.Scope?.Require(report.TownCode, report.CreditCode is null ? "tip.town" : "tip.enterprise", $"town {report.TownCode}");
        var valid = report.Validate(clock.Now);
        var fingerprint = RequestFingerprint.Of(valid);
        if (state.State.Requests.Find(request.RequestId, fingerprint) is { } earlier)
        {
            return await Tip(earlier.Outcome).Receive(valid, request);
        }

        var id = new TipKey(county, state.State.LastNumber + 1).ToString();
        await state.WriteOrRollBackAsync(state.State with
        {
            LastNumber = state.State.LastNumber + 1,
            Requests = state.State.Requests.Add(new RecordedRequest<string>(request.RequestId, fingerprint, id)),
        }, this);
        HazardGridMetrics.Write("tip");
        return await Tip(id).Receive(valid, request);
    }

    private IRewardedTipGrain Tip(string id) => GrainFactory.Reference<IRewardedTipGrain>(id);
}
