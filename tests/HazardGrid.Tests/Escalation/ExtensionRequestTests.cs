using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Escalation;

/// <summary>
/// Extension requests (issue 11 part 5) over the API: the enterprise asks (through a system), the
/// supervising office decides, the total extension is capped (90 days by default), and a direct
/// ExtendDeadline counts toward the cap without being refused by it.
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class ExtensionRequestTests(ClusterFixture fixture)
{
    private const string County = "370406";
    private readonly ApiDriver _api = new(fixture);

    [Fact]
    public async Task An_extension_request_waits_for_the_listing_levels_decision_and_one_beyond_the_cap_is_refused_changing_nothing()
    {
        var town = TestData.TownsOf(County, 4)[3];
        var enterprise = await _api.Register(TestData.NewEnterprise(town, Sector.Chemicals));
        var hazard = (await _api.Report(enterprise.CreditCode, ApiDriver.Finding(ReportChannel.SelfReport, Sector.Chemicals, "EXT-1", "储罐区", fixture.Now.AddDays(-1)))).Hazard;
        var deadline = fixture.Now.AddDays(10);
        var started = await _api.Start(hazard.Name, deadline);
        Assert.Equal((deadline, 0.0), (started.OriginalDeadline.ToDateTimeOffset(), started.TotalExtensionDays));

        // 100 days over the original deadline: beyond the cap, refused at once, nothing changes.
        var beyond = await ApiDriver.Refusal(() => fixture.Hazards.RequestExtensionAsync(Request(hazard.Name, deadline.AddDays(100))).ResponseAsync);
        Assert.Equal((StatusCode.FailedPrecondition, "deadline"), (beyond.Code, beyond.Field));
        Assert.Contains("at most 90 days", beyond.Message);
        var unchanged = await _api.Get(hazard.Name);
        Assert.Equal((started.Version, (ExtensionRequest?)null), (unchanged.Version, unchanged.PendingExtension));

        // Only a system sends a request (on the enterprise's behalf); one at a time.
        var bySupervisor = await ApiDriver.Refusal(() => Supervisor(County).RequestExtensionAsync(Request(hazard.Name, deadline.AddDays(30))).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, bySupervisor.Code);
        var pending = await fixture.Hazards.RequestExtensionAsync(Request(hazard.Name, deadline.AddDays(30)));
        Assert.Equal((deadline.AddDays(30), "设备到货延迟"), (pending.PendingExtension.Deadline.ToDateTimeOffset(), pending.PendingExtension.Reason));
        Assert.Equal(deadline, pending.Deadline.ToDateTimeOffset());
        Assert.Equal(TrailAction.ExtensionRequested, (await _api.Get(hazard.Name)).Trail.Last().Action);
        var second = await ApiDriver.Refusal(() => fixture.Hazards.RequestExtensionAsync(Request(hazard.Name, deadline.AddDays(20))).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, second.Code);

        // Decided by the supervising office (the county it is listed at): not by another county's,
        // nor by a town's; a retry of the decision answers its first result.
        var otherCounty = TestData.Regions.ChildrenOf("3704").First(c => c != County);
        Assert.Equal(StatusCode.PermissionDenied, (await ApiDriver.Refusal(() => Supervisor(otherCounty).DecideExtensionAsync(Decide(hazard.Name, true)).ResponseAsync)).Code);
        Assert.Equal(StatusCode.PermissionDenied, (await ApiDriver.Refusal(() => Supervisor(town).DecideExtensionAsync(Decide(hazard.Name, true)).ResponseAsync)).Code);
        var decision = Decide(hazard.Name, true);
        var approved = await Supervisor(County).DecideExtensionAsync(decision);
        Assert.Equal(approved, await Supervisor(County).DecideExtensionAsync(decision));
        Assert.Equal((deadline.AddDays(30), deadline, 30.0, (ExtensionRequest?)null),
            (approved.Deadline.ToDateTimeOffset(), approved.OriginalDeadline.ToDateTimeOffset(), approved.TotalExtensionDays, approved.PendingExtension));
        var afterApproval = await _api.Get(hazard.Name);
        Assert.Equal(TrailAction.ExtensionApproved, afterApproval.Trail.Last().Action);
        Assert.Contains("30 days extended in total of at most 90", afterApproval.Trail.Last().Detail);
        Assert.Equal((EscalationStep.WarningLetter, deadline.AddDays(30)), (afterApproval.Ladder.NextStep, afterApproval.Ladder.NextDueTime.ToDateTimeOffset()));

        // 30 days used: 70 more would pass the cap (100 in total), 50 more is pending, then refused.
        var overCap = await ApiDriver.Refusal(() => fixture.Hazards.RequestExtensionAsync(Request(hazard.Name, deadline.AddDays(100))).ResponseAsync);
        Assert.Equal((StatusCode.FailedPrecondition, "deadline"), (overCap.Code, overCap.Field));
        await fixture.Hazards.RequestExtensionAsync(Request(hazard.Name, deadline.AddDays(80)));
        var refused = await Supervisor(County).DecideExtensionAsync(Decide(hazard.Name, false));
        Assert.Equal((deadline.AddDays(30), (ExtensionRequest?)null), (refused.Deadline.ToDateTimeOffset(), refused.PendingExtension));
        Assert.Equal(TrailAction.ExtensionRefused, (await _api.Get(hazard.Name)).Trail.Last().Action);
        Assert.Equal(StatusCode.FailedPrecondition, (await ApiDriver.Refusal(() => Supervisor(County).DecideExtensionAsync(Decide(hazard.Name, true)).ResponseAsync)).Code);

        // A supervisor's direct extension is not capped, but counts toward the cap on requests.
        var direct = await Supervisor(County).ExtendDeadlineAsync(new ExtendDeadlineRequest
        {
            Name = hazard.Name, Deadline = Timestamp.FromDateTimeOffset(deadline.AddDays(95)), Reason = "重大技改", DecidedBy = "县应急局 刘科长", RequestId = TestData.NewRequestId(),
        });
        Assert.Equal(95.0, direct.TotalExtensionDays);
        Assert.Equal(StatusCode.FailedPrecondition, (await ApiDriver.Refusal(() => fixture.Hazards.RequestExtensionAsync(Request(hazard.Name, deadline.AddDays(96))).ResponseAsync)).Code);
    }

    private HazardService.HazardServiceClient Supervisor(string region) =>
        new(fixture.As(TestTokens.Mint("supervisor", region, $"supervisor-{region}")));

    private static RequestExtensionRequest Request(string name, DateTimeOffset deadline) => new()
    {
        Name = name, Deadline = Timestamp.FromDateTimeOffset(deadline), Reason = "设备到货延迟", RequestId = TestData.NewRequestId(),
    };

    private static DecideExtensionRequest Decide(string name, bool approve) => new()
    {
        Name = name, Approve = approve, Reason = approve ? "理由充分" : "理由不足", DecidedBy = "县应急局 刘科长", RequestId = TestData.NewRequestId(),
    };
}
