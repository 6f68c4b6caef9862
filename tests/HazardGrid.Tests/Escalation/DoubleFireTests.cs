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
public sealed class DoubleFireTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
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

        await WaitFor(async () => (await _api.Get(hazard.Name)).Escalations.Count == 1);
        await Task.Delay(500); // let every duplicate land
        var got = await _api.Get(hazard.Name);
        Assert.Equal(EscalationStep.WarningLetter, got.Escalations.Single().Step);
        Assert.Equal(1, got.Trail.Count(t => t.Action == TrailAction.Escalated));
        Assert.Equal(3, (await fixture.Enterprises.ListNotificationsAsync(new ListNotificationsRequest { Parent = enterprise.Name })).Notifications.Count(n => n.Kind == NotificationKind.Escalation));
        await _api.ExpectFigures(town, Of(rectifying: 1, overdue: 1, openIncrement: 1, sectors: [In(Sector.Chemicals, open: 1, overdue: 1)], letters: 1));
    }

    private static async Task WaitFor(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(50);
        }
    }
}
