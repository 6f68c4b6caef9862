using HazardGrid.Api.V1;
using HazardGrid.Enterprises;
using HazardGrid.Tests.Infrastructure;
using Xunit;
using static HazardGrid.Tests.Infrastructure.Figures;
using DomainStep = HazardGrid.Escalations.EscalationStep;
using Sector = HazardGrid.Api.V1.Sector;

namespace HazardGrid.Tests.Escalation;

/// <summary>A town's requests for a ladder step can repeat (its retries, a failover) or arrive late:
/// a step is recorded once, and only while it is due.</summary>
[Collection(SharedCluster.Name)]
public sealed class DoubleFireTests(ClusterFixture fixture)
{
    private readonly ApiDriver _api = new(fixture);

    [Fact]
    public async Task A_step_requested_twice_is_recorded_once_and_a_stale_request_changes_nothing()
    {
        var town = TestData.TownsOf("370406", 2)[1];
        var enterprise = await _api.Register(TestData.NewEnterprise(town, Sector.Chemicals));
        var hazard = (await _api.Report(enterprise.CreditCode, ApiDriver.Finding(ReportChannel.Inspection, Sector.Chemicals, "HG-D", "装卸区", fixture.Now.AddDays(-1)))).Hazard;
        var deadline = fixture.Now.AddDays(1);
        await _api.Start(hazard.Name, deadline);
        fixture.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));

        // Duplicate ticks, as a failover can produce, straight at the enterprise grain.
        var grain = fixture.Cluster.Client.GetGrain<IEnterpriseGrain>(enterprise.CreditCode);
        var townGrain = fixture.Cluster.Client.Town(town).GetGrainId();
        int Handled() => // Escalate calls the enterprise has finished, except the town's own (on its clock checks)
            fixture.Calls.Finished(nameof(IEnterpriseGrain.Escalate), grain.GetGrainId())
            - fixture.Calls.Finished(nameof(IEnterpriseGrain.Escalate), grain.GetGrainId(), from: townGrain);
        var handled = Handled();
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => grain.Escalate(1, DomainStep.WarningLetter, deadline)));
        // A stale tick: the circular is not due yet.
        await grain.Escalate(1, DomainStep.Circular, deadline.AddDays(7));

        // Escalate is one-way: its call returns once sent. The positive signal that the five
        // duplicates and the stale tick have been handled, with any write they made: the enterprise
        // has finished six more Escalate calls besides those the town sent itself.
        await Eventually.Until(() => Handled() >= handled + 6, "the enterprise to have handled the five duplicates and the stale tick");
        var got = await _api.Get(hazard.Name);
        Assert.Equal(EscalationStep.WarningLetter, got.Escalations.Single().Step);
        Assert.Equal(1, got.Trail.Count(t => t.Action == TrailAction.Escalated));
        Assert.Equal(3, (await fixture.Enterprises.ListNotificationsAsync(new ListNotificationsRequest { Parent = enterprise.Name })).Notifications.Count(n => n.Kind == NotificationKind.Escalation));
        await _api.ExpectFigures(town, Of(rectifying: 1, overdue: 1, openIncrement: 1, sectors: [In(Sector.Chemicals, open: 1, overdue: 1)], letters: 1));
    }
}
