using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.GrpcApi;

/// <summary>Every write retried with its request id returns the first result and changes nothing.</summary>
[Collection(SharedCluster.Name)]
public sealed class IdempotencyTests(ClusterFixture fixture)
{
    private readonly ApiDriver _api = new(fixture);
    private static readonly string s_town = TestData.TownsOf("370406", 3)[2];

    [Fact]
    public async Task Retrying_every_write_with_its_request_id_returns_the_first_result_and_changes_nothing()
    {
        var profile = TestData.NewEnterprise(s_town, Sector.Chemicals);
        var registered = await _api.Register(profile, "reg-1");
        Assert.Equal(registered, await _api.Register(profile, "reg-1"));

        var finding = ApiDriver.Finding(ReportChannel.SelfReport, Sector.Chemicals, "HG-RETRY", "罐区", ClusterFixture.Start.AddDays(-1));
        var reported = await _api.Report(registered.CreditCode, finding, "report-1");
        var reportedAgain = await _api.Report(registered.CreditCode, finding, "report-1");
        Assert.True(reported.Created);
        Assert.Equal(reported, reportedAgain);
        var name = reported.Hazard.Name;

        var deadline = fixture.Now.AddDays(7);
        var steps = new List<Func<Task<Hazard>>>
        {
            () => _api.Start(name, deadline, "start-1"),
            () => _api.Progress(name, 30, "progress-1"),
            () => _api.Submit(name, "submit-1"),
            () => _api.Confirm(name, ConfirmingParty.Regulator, "confirm-1"),
            () => _api.Close(name, [ConfirmingParty.Expert, ConfirmingParty.Principal], "close-1"),
        };
        var results = new List<Hazard>();
        foreach (var step in steps)
        {
            var first = await step();
            var trail = (await _api.Get(name)).Trail.Count;
            var second = await step();
            Assert.Equal(first, second);
            Assert.Equal(trail, (await _api.Get(name)).Trail.Count);
            results.Add(first);
        }

        // A retry that arrives late, after further changes, still answers with its own first result
        // and does not roll anything back.
        var lateProgress = await _api.Progress(name, 30, "progress-1");
        Assert.Equal(results[1], lateProgress);
        var now = await _api.Get(name);
        Assert.Equal(HazardState.Closed, now.State);
        Assert.Equal(results[^1].Version, now.Version);
        Assert.Equal(6, now.Trail.Count);

        // A late retry of the report does not open a second record of the closed finding.
        Assert.Equal(reported, await _api.Report(registered.CreditCode, finding, "report-1"));
        var enterprise = await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = registered.Name });
        Assert.Equal(1, enterprise.Figures.Closed);
        Assert.Equal(0, enterprise.Figures.Open);
        var notes = await fixture.Enterprises.ListNotificationsAsync(new ListNotificationsRequest { Parent = registered.Name });
        Assert.Equal(2, notes.Notifications.Count);
    }

    [Fact]
    public async Task After_the_enterprise_is_deactivated_its_hazards_still_answer_retries_and_keep_their_numbers()
    {
        // A report writes only the hazard: the enterprise's numbering and request index live in
        // memory and must come back from the hazards when it activates again.
        var registered = await _api.Register(TestData.NewEnterprise(s_town, Sector.Chemicals));
        var first = ApiDriver.Finding(ReportChannel.SelfReport, Sector.Chemicals, "HG-REACT-1", "罐区", ClusterFixture.Start.AddDays(-1));
        var second = ApiDriver.Finding(ReportChannel.Inspection, Sector.Chemicals, "HG-REACT-2", "装卸区", ClusterFixture.Start.AddDays(-1));
        var one = await _api.Report(registered.CreditCode, first, "react-1");
        var two = await _api.Report(registered.CreditCode, second, "react-2");
        var firstAgain = first.Clone();
        firstAgain.Channel = ReportChannel.Inspection;
        var repeat = await _api.Report(registered.CreditCode, firstAgain, "react-1-again");
        Assert.False(repeat.Created);

        await DeactivateEverything(registered.CreditCode);

        Assert.Equal(one, await _api.Report(registered.CreditCode, first, "react-1"));
        Assert.Equal(two, await _api.Report(registered.CreditCode, second, "react-2"));
        Assert.Equal(repeat.Hazard.Name, (await _api.Report(registered.CreditCode, firstAgain, "react-1-again")).Hazard.Name);
        var error = await Assert.ThrowsAsync<RpcException>(() => _api.Report(registered.CreditCode, second, "react-1"));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);

        // The next number follows the last one stored, though the enterprise itself never stored it.
        var third = await _api.Report(registered.CreditCode, ApiDriver.Finding(ReportChannel.Inspection, Sector.Chemicals, "HG-REACT-3", "仓库", ClusterFixture.Start), "react-3");
        Assert.True(third.Created);
        Assert.EndsWith("/hazards/3", third.Hazard.Name);
        var enterprise = await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = registered.Name });
        Assert.Equal(3, enterprise.Figures.Open);
        var notes = await fixture.Enterprises.ListNotificationsAsync(new ListNotificationsRequest { Parent = registered.Name });
        Assert.Equal(6, notes.Notifications.Count);
    }

    private async Task DeactivateEverything(string creditCode)
    {
        var management = fixture.Cluster.Client.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);

        // The positive signal that the enterprise is gone (a deactivation may finish after the
        // collector's call returns): the cluster counts no activation of it any more.
        var enterprise = (GrainReference)fixture.Cluster.Client.GetGrain<Enterprises.IEnterpriseGrain>(creditCode);
        await Eventually.Until(() => management.GetGrainActivationCount(enterprise), count => count == 0, $"enterprise {creditCode} to be deactivated");
    }

    [Fact]
    public async Task A_withdrawal_retried_is_recorded_once()
    {
        var enterprise = await _api.Register(TestData.NewEnterprise(s_town, Sector.Chemicals));
        var hazard = (await _api.Report(enterprise.CreditCode, ApiDriver.Finding(ReportChannel.VerifiedTip, Sector.Chemicals, "HG-W", "仓库", ClusterFixture.Start))).Hazard;
        var first = await _api.Withdraw(hazard.Name, invalid: true, "withdraw-1");
        Assert.Equal(first, await _api.Withdraw(hazard.Name, invalid: true, "withdraw-1"));
        Assert.Equal(2, (await _api.Get(hazard.Name)).Trail.Count);
    }

    [Fact]
    public async Task A_request_id_reused_for_a_different_write_is_refused()
    {
        var enterprise = await _api.Register(TestData.NewEnterprise(s_town, Sector.Chemicals));
        var hazard = (await _api.Report(enterprise.CreditCode, ApiDriver.Finding(ReportChannel.Inspection, Sector.Chemicals, "HG-R", "车间", ClusterFixture.Start))).Hazard;
        await _api.Start(hazard.Name, fixture.Now.AddDays(5));
        var at20 = await _api.Progress(hazard.Name, 20, "p-1");

        var (code, field, _) = await ApiDriver.Refusal(() => _api.Progress(hazard.Name, 60, "p-1"));
        Assert.Equal((StatusCode.InvalidArgument, "request_id"), (code, field));
        var now = await _api.Get(hazard.Name);
        Assert.Equal(at20.Version, now.Version);
        Assert.Equal(20, now.ProgressPercent);
    }

    [Fact]
    public async Task The_same_finding_through_two_channels_is_one_hazard_until_it_closes()
    {
        var enterprise = await _api.Register(TestData.NewEnterprise(s_town, Sector.Chemicals));
        var before = await _api.Region(s_town);
        var selfReport = await _api.Report(enterprise.CreditCode, ApiDriver.Finding(ReportChannel.SelfReport, Sector.Chemicals, "HG-7.2", "氯气 管道", ClusterFixture.Start));
        var tip = await _api.Report(enterprise.CreditCode, ApiDriver.Finding(ReportChannel.VerifiedTip, Sector.Chemicals, "hg-7.2 ", "氯气管道".Insert(2, " "), ClusterFixture.Start));
        Assert.True(selfReport.Created);
        Assert.False(tip.Created);
        Assert.Equal(selfReport.Hazard.Name, tip.Hazard.Name);
        var stored = await _api.Get(selfReport.Hazard.Name);
        Assert.Equal([ReportChannel.SelfReport, ReportChannel.VerifiedTip], stored.Channels);
        var region = await _api.Region(s_town);
        Assert.Equal(before.Figures.Registered + 1, region.Figures.Registered);

        // Once withdrawn, the same finding reported again is a new record.
        await _api.Withdraw(selfReport.Hazard.Name, invalid: false);
        var later = await _api.Report(enterprise.CreditCode, ApiDriver.Finding(ReportChannel.Inspection, Sector.Chemicals, "HG-7.2", "氯气 管道", ClusterFixture.Start));
        Assert.True(later.Created);
        Assert.NotEqual(selfReport.Hazard.Name, later.Hazard.Name);
    }
}
