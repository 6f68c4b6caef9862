using HazardGrid.Api.V1;
using HazardGrid.Enterprises;
using HazardGrid.Tests.Infrastructure;
using Xunit;
using static HazardGrid.Tests.Infrastructure.Figures;
using DomainStep = HazardGrid.Escalations.EscalationStep;
using Sector = HazardGrid.Api.V1.Sector;

namespace HazardGrid.Tests.Escalation;

/// <summary>Reminder ticks can repeat or arrive late during failover: a ladder step is recorded once,
/// and only while it is due.</summary>
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
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => grain.Escalate(1, DomainStep.WarningLetter, deadline)));
        // A stale tick: the circular is not due yet.
        await grain.Escalate(1, DomainStep.Circular, deadline.AddDays(7));

        await Eventually.Until(() => _api.Get(hazard.Name), h => h.Escalations.Count >= 1, "the warning letter to fire");

        // Every duplicate has been handled: the enterprise takes calls one at a time, in the order
        // they reach it, and this call was sent after all of them, so it is answered after them
        // (and after the hazard and town writes each of them made).
        await grain.Get();
        var got = await _api.Get(hazard.Name);
        Assert.Equal(EscalationStep.WarningLetter, got.Escalations.Single().Step);
        Assert.Equal(1, got.Trail.Count(t => t.Action == "Escalated"));
        Assert.Equal(3, (await fixture.Enterprises.ListNotificationsAsync(new ListNotificationsRequest { Parent = enterprise.Name })).Notifications.Count(n => n.Kind == "Escalation"));
        await _api.ExpectFigures(town, Of(rectifying: 1, overdue: 1, openIncrement: 1, sectors: [In(Sector.Chemicals, open: 1, overdue: 1)], letters: 1));
    }
}
