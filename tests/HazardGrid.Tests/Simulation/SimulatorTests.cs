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
    public void Tips_follow_the_seeds_rates_and_stay_a_few_percent_of_the_writes()
    {
        var model = ProvinceModel.Generate(7, 20_000, 60_000, ClusterFixture.Start);
        var tips = model.Tips;
        var verified = tips.Count(t => t.IsVerified);
        var resolved = tips.Count(t => t.Outcome != TipOutcome.Pending);

        // 004: 20,500 of 39,300 tips verified; ¥4,838,600 paid for them (¥236.03 each on average).
        Assert.InRange(verified / (double)resolved, 0.49, 0.56);
        Assert.InRange(tips.Where(t => t.IsVerified).Average(t => t.RewardFen), 0.85 * ProvinceModel.MeanRewardFen, 1.15 * ProvinceModel.MeanRewardFen);
        Assert.InRange(tips.Count(t => t.Outcome == TipOutcome.VerifiedAsHazard) / (double)verified, 0.75, 0.85);
        Assert.All(tips.Where(t => t.Hazard is not null), t => Assert.Equal(ReportChannel.VerifiedTip, t.Hazard!.Channel));
        Assert.Contains(tips, t => t.Outcome == TipOutcome.Dismissed);
        Assert.Contains(tips, t => t.Enterprise is null);

        // A tenth of the province's tips go through the TipService: a few percent of the load's calls
        // (each hazard takes about two; a tip three or four, a verified hazard's replacing its report).
        var tipCalls = tips.Sum(t => 1 + (t.Outcome == TipOutcome.Pending ? 0 : 1) + (t.IsVerified ? 1 + (t.RewardPaid ? 1 : 0) : 0) - (t.Hazard is null ? 0 : 1));
        Assert.InRange(tipCalls / (2.0 * model.Hazards.Count), 0.01, 0.05);
    }

    [Fact]
    public async Task A_simulated_province_loads_and_the_province_figures_equal_the_simulators_count()
    {
        var model = ProvinceModel.Generate(3, 2_000, 600, fixture.Now);
        var runner = new LoadRunner(fixture.Channel.CreateCallInvoker(), model, concurrency: 16, anchor: fixture.Now, SimulatedSystems.FromKey(TestTokens.SigningKey()));
        await runner.LoadAsync();

        var expected = model.ExpectedProvince();
        Assert.True(expected.Closed > 0 && expected.Rectifying > 0 && expected.Withdrawn + expected.Invalid > 0, $"the model should cover the lifecycle: {expected}");
        Assert.Equal(6, runner.Stats.DuplicatesAbsorbed);
        Assert.True(expected.TipsReceived > expected.TipsVerified && expected.TipsVerified > 0 && expected.TipRewardsPaidFen > 0, $"the model should cover tips: {expected}");
        Assert.Contains(model.Tips, t => t.Hazard is not null);

        await ProvinceShows(expected);

        // A second run of the same seed replays every request id: nothing changes. The positive
        // signal is the town ledgers: a write is acknowledged only after its town's ledger stored
        // it, so once the replay is answered, a replay that changed any figure would have stored a
        // ledger write. None may have (test collections run one at a time, so the meter hears
        // only this cluster), and then nothing can reach the province either.
        using var ledgerWrites = new LedgerWriteCounter();
        var again = new LoadRunner(fixture.Channel.CreateCallInvoker(), model, concurrency: 16, anchor: fixture.Now, SimulatedSystems.FromKey(TestTokens.SigningKey()));
        await again.LoadAsync();
        Assert.Equal(0, ledgerWrites.Count);
        Assert.Equal(expected, Expected.Of((await fixture.Regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" })).Figures));

        // Then the steady live mix: queries, new reports, progress and closures, counted exactly.
        var live = await again.RunLiveAsync(TimeSpan.FromSeconds(2));
        Assert.True(live.Queries > 0 && live.Writes > 0 && live.Registered + live.Rectifying + live.Closed > 0, $"the live mix should query and write: {live}");
        Assert.True(live.Rectifying + live.Closed > 0, $"the live mix should move its hazards on: {live}");
        await ProvinceShows(live.AddedTo(expected));
    }

    private Task ProvinceShows(Expected expected) =>
        Eventually.Holds(
            async () => Assert.Equal(expected, Expected.Of((await fixture.Regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" })).Figures)),
            "the province to show the simulator's count",
            TimeSpan.FromSeconds(20));

    /// <summary>Counts town ledger writes stored (the HazardGrid meter's hazardgrid.ledger.writes) while it lives.</summary>
    private sealed class LedgerWriteCounter : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private long _count;

        public LedgerWriteCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == Common.HazardGridMetrics.MeterName && instrument.Name == "hazardgrid.ledger.writes")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
