using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace HazardGrid.Tests.GrpcApi;

/// <summary>
/// Random sequences of reports, lifecycle steps and clock moves over many hazards in six towns
/// of three cities; at every checkpoint each town, county, city, the province and every
/// enterprise must show exactly a recount of the hazards themselves.
/// </summary>
public sealed class RecountPropertyTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    private readonly ApiDriver _api = new(fixture);

    [Fact]
    public async Task After_random_operation_sequences_every_region_equals_a_recount_of_its_hazards()
    {
        var towns = new[] { "370406", TestData.Regions.ChildrenOf("3701")[1], TestData.Regions.ChildrenOf("3702")[0] }
            .SelectMany(county => TestData.TownsOf(county, 2))
            .ToArray();
        var sectors = new[] { Sector.Chemicals, Sector.Gas, Sector.NonCoalMining, Sector.Fireworks, Sector.DustExplosion };
        var enterprises = new List<Api.V1.Enterprise>();
        for (var i = 0; i < 12; i++)
        {
            enterprises.Add(await _api.Register(TestData.NewEnterprise(towns[i % towns.Length], sectors[i % 5], sectors[(i + 2) % 5])));
        }

        var hazards = new List<string>();
        var findings = new List<(string CreditCode, NewHazard Finding)>();
        var progress = new Dictionary<string, int>();
        var states = new Dictionary<string, HazardState>();
        var lastSeen = new Dictionary<string, Hazard?>();
        var refused = 0;
        foreach (var seed in new[] { 11, 23, 37 })
        {
            var random = new Random(seed);
            for (var step = 0; step < 150; step++)
            {
                try
                {
                    await RandomStep(random);
                }
                catch (RpcException ex) when (ex.StatusCode is StatusCode.FailedPrecondition)
                {
                    refused++; // an illegal transition for the hazard's current state: refused, as it should be
                }
            }

            await AssertEveryFigureIsARecount();
            output.WriteLine($"seed {seed}: {hazards.Count} hazards, {refused} refused steps, {fixture.Now:yyyy-MM-dd}, province {(await _api.Region("37")).Figures}");
        }

        Assert.True(hazards.Count > 40, $"only {hazards.Count} hazards were created");
        Assert.True(refused < 225, $"{refused} steps were refused: the generator is not exercising the lifecycle");
        var province = (await _api.Region("37")).Figures;
        Assert.True(province.Closed > 10 && province.Overdue > 0 && province.AwaitingVerification > 0 && province.Withdrawn + province.Invalid > 0, $"the lifecycle was not covered: {province}");

        static async Task<bool> Delay()
        {
            await Task.Delay(100);
            return true;
        }

        async Task RandomStep(Random random)
        {
            var roll = random.Next(100);
            if (roll < 15 || hazards.Count == 0)
            {
                var enterprise = enterprises[random.Next(enterprises.Count)];
                var finding = ApiDriver.Finding(
                    (ReportChannel)random.Next(1, 5),
                    enterprise.Sectors[random.Next(enterprise.Sectors.Count)],
                    $"C-{random.Next(1000)}",
                    $"L-{random.Next(1000)}",
                    new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)).AddDays(random.Next(1200)) is var found && found < fixture.Now ? found : fixture.Now.AddDays(-1));
                var outcome = await _api.Report(enterprise.CreditCode, finding);
                if (outcome.Created)
                {
                    hazards.Add(outcome.Hazard.Name);
                    findings.Add((enterprise.CreditCode, finding));
                }

                return;
            }

            if (roll < 19)
            {
                // The same finding again, through another channel.
                var (creditCode, finding) = findings[random.Next(findings.Count)];
                var again = finding.Clone();
                again.Channel = (ReportChannel)random.Next(1, 5);
                var outcome = await _api.Report(creditCode, again);
                if (outcome.Created)
                {
                    hazards.Add(outcome.Hazard.Name);
                    findings.Add((creditCode, again));
                }

                return;
            }

            if (roll < 27)
            {
                fixture.Advance(TimeSpan.FromHours(random.Next(1, 24 * 6)));
                return;
            }

            // Mostly the step the hazard's state allows, sometimes any step (which is then refused).
            var name = hazards[random.Next(hazards.Count)];
            var state = states.GetValueOrDefault(name, HazardState.Registered);
            var op = random.Next(100) < 80
                ? state switch
                {
                    HazardState.Registered => random.Next(10) == 0 ? 6 : 0,
                    HazardState.Rectifying => random.Next(10) switch { < 4 => 1, < 9 => 2, _ => 6 },
                    HazardState.AwaitingVerification => random.Next(10) switch { < 3 => 4, < 8 => 5, _ => 3 },
                    _ => random.Next(7),
                }
                : random.Next(7);
            var result = op switch
            {
                0 => await _api.Start(name, fixture.Now.AddHours(random.Next(2, 24 * 20))),
                1 => await _api.Progress(name, Math.Min(100, progress.GetValueOrDefault(name) + random.Next(1, 40))),
                2 => await _api.Submit(name),
                3 => await _api.Return(name),
                4 => await _api.Confirm(name, (ConfirmingParty)random.Next(1, 4)),
                5 => await _api.Close(name, Enum.GetValues<ConfirmingParty>()
                    .Where(p => p != ConfirmingParty.Unspecified && random.Next(6) > 0)
                    .Where(p => !(lastSeen.GetValueOrDefault(name)?.Confirmations.Any(c => c.Party == p) ?? false))),
                _ => await _api.Withdraw(name, invalid: random.Next(2) == 0),
            };
            states[name] = result.State;
            progress[name] = result.ProgressPercent;
            lastSeen[name] = result;
        }

        async Task AssertEveryFigureIsARecount()
        {
            // The ladder fires due steps by itself; recount once it has caught up with the clock.
            var now = fixture.Now;
            var all = new List<Hazard>();
            var settle = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            do
            {
                all.Clear();
                foreach (var name in hazards)
                {
                    all.Add(await _api.Get(name));
                }
            }
            while (all.Any(h => h.Ladder.NextDueTime is { } due && due.ToDateTimeOffset() <= now) && DateTime.UtcNow < settle && await Delay());

            var regions = towns.SelectMany(t => TestData.Regions.SelfAndAncestors(t)).Select(r => r.Code).Distinct();
            foreach (var code in regions)
            {
                var under = all.Where(h => h.Town.StartsWith(code, StringComparison.Ordinal));
                await _api.ExpectFigures(code, ApiMapperForTests.Recount(under, now));
            }

            foreach (var enterprise in enterprises)
            {
                var own = all.Where(h => h.Name.StartsWith(enterprise.Name + "/", StringComparison.Ordinal));
                var shown = await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = enterprise.Name });
                Assert.Equal(ApiMapperForTests.Recount(own, now), shown.Figures);
            }
        }
    }
}
