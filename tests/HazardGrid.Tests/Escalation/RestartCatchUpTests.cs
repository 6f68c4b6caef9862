using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Escalations;
using HazardGrid.Hazards;
using HazardGrid.Rollups;
using HazardGrid.Silo.Hosting;
using HazardGrid.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using Xunit;

namespace HazardGrid.Tests.Escalation;

/// <summary>
/// Steps that fall due while every process is down fire once each when the cluster comes back,
/// with their due times recorded — no query needed to wake them. Real silos on a real SQLite
/// file; the whole cluster is stopped and a new one started on the same file.
/// </summary>
public sealed class RestartCatchUpTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "hazardgrid-restart-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(ClusterFixture.Start);

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task Steps_due_while_the_service_was_down_fire_once_each_after_it_comes_back()
    {
        var town = TestData.TownsOf("370406", 1)[0];
        var code = TestData.NewCreditCode(town);
        var start = _time.GetUtcNow();
        var deadlines = new[] { start.AddDays(1), start.AddDays(2), start.AddDays(20) };

        await using (var first = await StartCluster())
        {
            var enterprise = first.Client.GetGrain<IEnterpriseGrain>(code);
            await enterprise.Register(
                new EnterpriseProfile(code, "重启测试化工", town, [Sector.Chemicals], new Person("张主任", null), new Person("李控制", null), null),
                new WriteRequest("reg", "test"));
            for (var i = 0; i < deadlines.Length; i++)
            {
                await enterprise.ReportHazard(
                    new HazardReport(code, ReportChannel.Inspection, Sector.Chemicals, $"HG-{i}", $"区域 {i}", "描述", start.AddDays(-1)),
                    new WriteRequest($"report-{i}", "test"));
                await enterprise.UpdateHazard(i + 1, new StartRectification(deadlines[i], "计划"), new WriteRequest($"start-{i}", "test"));
            }

            await first.StopAllSilosAsync();
        }

        // Ten days pass with nothing running: hazard 1 owes a letter and a circular (due day 1 and
        // day 8), hazard 2 a letter (day 2; its circular is due day 9), hazard 3 nothing yet.
        _time.Advance(TimeSpan.FromDays(8.5));
        var restartedAt = _time.GetUtcNow();

        await using var second = await StartCluster();
        var expected = new[]
        {
            new[] { (EscalationStep.WarningLetter, deadlines[0]), (EscalationStep.Circular, deadlines[0].AddDays(7)) },
            new[] { (EscalationStep.WarningLetter, deadlines[1]) },
            [],
        };
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        MajorHazard[] hazards;
        do
        {
            await Task.Delay(100);
            hazards = await Task.WhenAll(Enumerable.Range(1, 3).Select(async n => (await second.Client.GetGrain<IMajorHazardGrain>($"{code}/{n}").Get()).Hazard));
        }
        while (hazards.Sum(h => h.Escalations.Length) < 3 && DateTime.UtcNow < until);

        await Task.Delay(1500); // a few more clock checks: nothing may fire twice
        for (var i = 0; i < 3; i++)
        {
            var found = await second.Client.GetGrain<IMajorHazardGrain>($"{code}/{i + 1}").Get();
            Assert.Equal(expected[i], found.Hazard.Escalations.Select(e => (e.Step, e.DueAt)));
            Assert.All(found.Hazard.Escalations, e => Assert.Equal(restartedAt, e.FiredAt));
            Assert.Equal(expected[i].Length, found.Trail.Count(t => t.Action == TrailAction.Escalated));
        }

        var status = await second.Client.GetGrain<ITownGrain>(town).GetStatus();
        Assert.Equal((2, 1, 3), (status.Figures.Escalations.WarningLettersThisMonth, status.Figures.Escalations.CircularsThisMonth, status.Figures.Overdue + 1));
    }

    private async Task<InProcessTestCluster> StartCluster()
    {
        var clock = new DomainClock(_time);
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = "restart-test";
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddHazardGridSqliteStorage(_data);
            silo.Services.AddSingleton(clock);
            silo.AddHazardGrid();
            silo.Services.Configure<RollupOptions>(o => o.ClockCheckPeriod = TimeSpan.FromMilliseconds(50));
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
