using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Escalations;
using HazardGrid.Hazards;
using HazardGrid.Tests.Infrastructure;
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

        // Hazard 4 is the witness: its letter falls due only after the restart, when the test moves
        // the clock on (see below).
        var deadlines = new[] { start.AddDays(1), start.AddDays(2), start.AddDays(20), start.AddDays(8.6) };

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
        // day 8), hazard 2 a letter (day 2; its circular is due day 9), hazards 3 and 4 nothing yet.
        _time.Advance(TimeSpan.FromDays(8.5));
        var restartedAt = _time.GetUtcNow();

        await using var second = await StartCluster();
        async Task<HazardWithTrail[]> Hazards() =>
            await Task.WhenAll(Enumerable.Range(1, deadlines.Length).Select(n => second.Client.GetGrain<IMajorHazardGrain>($"{code}/{n}").Get()));
        await Eventually.Until(Hazards, hazards => hazards.Sum(h => h.Hazard.Escalations.Length) >= 3, "the three steps that fell due while nothing ran to fire", TimeSpan.FromSeconds(30));

        // Nothing may fire twice. The positive signal that the town has checked its ledger against
        // the clock again after catching up: move the clock past hazard 4's deadline and wait for
        // its letter. The town asks for a step only on a clock check, over every hazard it holds,
        // and the enterprise takes those requests one at a time in the order they reach it; so once
        // hazard 4's letter (requested on a check after the catch-up) has fired and the enterprise
        // has answered a call made after that, any repeated request for hazards 1 to 3 from that
        // check or an earlier one has been handled too.
        _time.Advance(TimeSpan.FromDays(0.2));
        var witnessedAt = _time.GetUtcNow();
        await Eventually.Until(Hazards, hazards => hazards[3].Hazard.Escalations.Length == 1, "hazard 4's letter, on a clock check after the catch-up");
        await second.Client.GetGrain<IEnterpriseGrain>(code).Get();

        var expected = new[]
        {
            new[] { (EscalationStep.WarningLetter, deadlines[0], restartedAt), (EscalationStep.Circular, deadlines[0].AddDays(7), restartedAt) },
            new[] { (EscalationStep.WarningLetter, deadlines[1], restartedAt) },
            [],
            new[] { (EscalationStep.WarningLetter, deadlines[3], witnessedAt) },
        };
        var found = await Hazards();
        for (var i = 0; i < deadlines.Length; i++)
        {
            Assert.Equal(expected[i], found[i].Hazard.Escalations.Select(e => (e.Step, e.DueAt, e.FiredAt)));
            Assert.Equal(expected[i].Length, found[i].Trail.Count(t => t.Action == TrailAction.Escalated));
        }

        var status = await second.Client.Town(town).GetStatus();
        Assert.Equal((3, 1, 3), (status.Figures.Escalations.WarningLettersThisMonth, status.Figures.Escalations.CircularsThisMonth, status.Figures.Overdue));
    }

    private Task<InProcessTestCluster> StartCluster() =>
        TestClusters.StartAsync(new TestClusterSettings { ServiceId = "restart-test", Storage = TestStorage.Sqlite(_data), Time = _time });
}
