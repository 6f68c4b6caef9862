using HazardGrid.Api.V1;
using HazardGrid.Simulator;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Simulation;

/// <summary>The province simulator, small: a generated province pushed through the real gateway
/// by the county systems, and the province figures equal to the simulator's own count.</summary>
public sealed class SimulatorTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    [Fact]
    public void The_same_seed_generates_the_same_province()
    {
        var now = ClusterFixture.Start;
        var a = ProvinceModel.Generate(5, 3_000, 800, now);
        var b = ProvinceModel.Generate(5, 3_000, 800, now);
        var c = ProvinceModel.Generate(6, 3_000, 800, now);
        Assert.Equal(a.Enterprises, b.Enterprises);
        Assert.Equal(a.Hazards, b.Hazards);
        Assert.NotEqual(a.Hazards.Select(h => h.Outcome), c.Hazards.Select(h => h.Outcome));
        Assert.All(a.Enterprises, e => Assert.True(Enterprises.UnifiedSocialCreditCode.IsValid(e.CreditCode)));
        Assert.Equal(a.Enterprises.Count, a.Enterprises.Select(e => e.CreditCode).Distinct().Count());
        var tips = a.Hazards.Count(h => h.Channel == ReportChannel.VerifiedTip) / (double)a.Hazards.Count;
        Assert.InRange(tips, 0.07, 0.14);   // 20,500 verified tips of ~200,000 hazards (004)
    }

    [Fact]
    public async Task A_simulated_province_loads_and_the_province_figures_equal_the_simulators_count()
    {
        var model = ProvinceModel.Generate(3, 2_000, 600, fixture.Now);
        var runner = new LoadRunner(fixture.Channel.CreateCallInvoker(), model, concurrency: 16, anchor: fixture.Now);
        await runner.LoadAsync();

        var expected = model.ExpectedProvince();
        Assert.True(expected.Closed > 0 && expected.Rectifying > 0 && expected.Withdrawn + expected.Invalid > 0, $"the model should cover the lifecycle: {expected}");
        Assert.Equal(6, runner.Stats.DuplicatesAbsorbed);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        Expected actual;
        do
        {
            actual = Expected.Of((await fixture.Regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" })).Figures);
        }
        while (actual != expected && DateTime.UtcNow < deadline && await Delay());
        Assert.Equal(expected, actual);

        // A second run of the same seed replays every request id: nothing changes.
        var again = new LoadRunner(fixture.Channel.CreateCallInvoker(), model, concurrency: 16, anchor: fixture.Now);
        await again.LoadAsync();
        await Task.Delay(300);
        Assert.Equal(expected, Expected.Of((await fixture.Regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" })).Figures));

        // Then the steady live mix: queries, new reports, progress and closures, counted exactly.
        var live = await again.RunLiveAsync(TimeSpan.FromSeconds(2));
        Assert.True(live.Queries > 0 && live.Writes > 0 && live.Registered + live.Rectifying + live.Closed > 0, $"the live mix should query and write: {live}");
        Assert.True(live.Rectifying + live.Closed > 0, $"the live mix should move its hazards on: {live}");
        var withLive = live.AddedTo(expected);
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        do
        {
            actual = Expected.Of((await fixture.Regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" })).Figures);
        }
        while (actual != withLive && DateTime.UtcNow < deadline && await Delay());
        Assert.Equal(withLive, actual);
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(100);
        return true;
    }
}
