using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace HazardGrid.Tests.Cluster;

/// <summary>
/// The production shape on a real PostgreSQL: three silos and two standalone gateways as real
/// processes, a load of hazard reports with request ids, one silo killed with SIGKILL mid-load,
/// and clients retrying failed calls under the same id. Afterwards every acknowledged write is
/// there exactly once and every region's figures equal a recount.
/// </summary>
public sealed class FailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PostgresServer _postgres = null!;
    private readonly List<SiloProcess> _processes = [];

    public async Task InitializeAsync() => _postgres = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        var i = 0;
        foreach (var process in _processes)
        {
            if (Environment.GetEnvironmentVariable("HAZARDGRID_TEST_LOGS") is { Length: > 0 } logs)
            {
                File.WriteAllText(Path.Combine(logs, $"process-{i++}.log"), process.Output);
            }

            await process.DisposeAsync();
        }

        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task Killing_a_silo_mid_load_loses_no_acknowledged_write_and_duplicates_none()
    {
        var database = await _postgres.CreateDatabaseAsync();
        var cluster = $"failover-{Guid.NewGuid():N}"[..20];
        string[] Settings(params string[] more) =>
            ["--HazardGrid:Mode=PostgreSql", $"--ConnectionStrings:HazardGrid={database}", $"--HazardGrid:ClusterId={cluster}", .. more];

        var silos = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => SiloProcess.StartAsync(string.Empty, Settings())));
        _processes.AddRange(silos);
        var gateways = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => SiloProcess.StartGatewayAsync(0, Settings())));
        _processes.AddRange(gateways);

        var channels = gateways.Select(g => GrpcChannel.ForAddress($"http://127.0.0.1:{g.GrpcPort}")).ToArray();
        var invokers = channels.Select(c => c.WithToken(TestTokens.Mint(subject: "failover-test"))).ToArray();
        try
        {
            var towns = new[] { "370406", "370102", "370203" }.SelectMany(c => TestData.TownsOf(c, 2)).ToArray();
            var enterprises = towns.Select(t => TestData.NewEnterprise(t)).ToArray();
            for (var i = 0; i < enterprises.Length; i++)
            {
                await Retry(() => new EnterpriseService.EnterpriseServiceClient(invokers[i % 2]).RegisterEnterpriseAsync(
                    new RegisterEnterpriseRequest { Enterprise = enterprises[i], RequestId = $"e{i}" }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
            }

            var acked = new ConcurrentDictionary<int, Hazard>();
            var failures = new ConcurrentBag<DateTime>();
            var recoveredAt = DateTime.MaxValue;
            var killedAt = DateTime.MaxValue;
            var next = -1;
            const int Total = 240;
            async Task Writer(int w)
            {
                while (true)
                {
                    var n = Interlocked.Increment(ref next);
                    if (n >= Total)
                    {
                        return;
                    }

                    var enterprise = enterprises[n % enterprises.Length];
                    var request = new ReportHazardRequest
                    {
                        Parent = $"enterprises/{enterprise.CreditCode}",
                        Hazard = ApiDriver.Finding(ReportChannel.Inspection, Sector.Chemicals, $"F-{n}", $"装置 {n}", DateTimeOffset.UtcNow.AddDays(-1)),
                        RequestId = $"report-{n}",
                    };

                    // Alternate gateways per attempt, as a load balancer would after a failure.
                    for (var attempt = 0; ; attempt++)
                    {
                        try
                        {
                            var client = new HazardService.HazardServiceClient(invokers[(n + attempt) % 2]);
                            var response = await client.ReportHazardAsync(request, deadline: DateTime.UtcNow.AddSeconds(10));
                            acked[n] = response.Hazard;
                            if (DateTime.UtcNow > killedAt && !failures.IsEmpty && recoveredAt == DateTime.MaxValue)
                            {
                                recoveredAt = DateTime.UtcNow;
                            }

                            break;
                        }
                        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown && attempt < 30)
                        {
                            failures.Add(DateTime.UtcNow);
                            await Task.Delay(200);
                        }
                    }
                }
            }

            var writers = Enumerable.Range(0, 6).Select(w => Task.Run(() => Writer(w))).ToArray();
            await Eventually.Until(() => acked.Count >= 80, "a third of the load to be acknowledged before the kill", TimeSpan.FromSeconds(60));

            var clock = Stopwatch.StartNew();
            killedAt = DateTime.UtcNow;
            silos[1].Kill();
            await Task.WhenAll(writers);
            output.WriteLine($"acknowledged {acked.Count}, failed attempts {failures.Count}, " +
                $"writes succeeded again {(recoveredAt == DateTime.MaxValue ? 0 : (recoveredAt - killedAt).TotalSeconds):F1} s after the kill");
            Assert.Equal(Total, acked.Count);

            // Every acknowledged write, exactly once: each enterprise's records are numbered 1..n
            // without gaps, and every finding appears once.
            var hazards = new HazardService.HazardServiceClient(invokers[0]);
            var found = new List<Hazard>();
            foreach (var enterprise in enterprises)
            {
                for (var number = 1; ; number++)
                {
                    try
                    {
                        found.Add(await Retry(() => hazards.GetHazardAsync(new GetHazardRequest { Name = $"enterprises/{enterprise.CreditCode}/hazards/{number}" }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync));
                    }
                    catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
                    {
                        break;
                    }
                }
            }

            Assert.Equal(Total, found.Count);
            Assert.Equal(Total, found.Select(h => h.Criterion).Distinct().Count());
            Assert.All(acked.Values, h => Assert.Contains(found, f => f.Name == h.Name && f.Criterion == h.Criterion));

            // And the regions count exactly those hazards, from the towns to the province: every
            // one registered, found yesterday, in chemicals, listed at county level.
            var regions = new RegionService.RegionServiceClient(invokers[1]);
            var codes = towns.SelectMany(t => TestData.Regions.SelfAndAncestors(t)).Select(r => r.Code).Distinct().ToList();
            foreach (var code in codes)
            {
                var expected = Registered(found.Count(h => h.Town.StartsWith(code, StringComparison.Ordinal)));
                await Eventually.Holds(
                    async () => Assert.Equal(expected, await RegionFigures(regions, code)),
                    $"region {code} to count its {expected.Registered} hazards",
                    TimeSpan.FromSeconds(90));
            }
        }
        finally
        {
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_database_outage_fails_writes_as_unavailable_loses_nothing_acknowledged_and_heals_without_a_restart()
    {
        await using var postgres = await PostgresServer.StartPrivateAsync();
        var database = await postgres.CreateDatabaseAsync();
        var settings = new[] { "--HazardGrid:Mode=PostgreSql", $"--ConnectionStrings:HazardGrid={database}", "--HazardGrid:ClusterId=outage" };
        var silos = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => SiloProcess.StartAsync(string.Empty, settings)));
        _processes.AddRange(silos);
        var gateway = await SiloProcess.StartGatewayAsync(0, settings);
        _processes.Add(gateway);
        var (channel, invoker) = gateway.Connect("outage-test");
        using var _ = channel;
        var town = TestData.TownsOf("370406", 1)[0];
        var enterprise = TestData.NewEnterprise(town);
        await Retry(() => new EnterpriseService.EnterpriseServiceClient(invoker).RegisterEnterpriseAsync(new RegisterEnterpriseRequest { Enterprise = enterprise, RequestId = "e" }).ResponseAsync);

        var hazards = new HazardService.HazardServiceClient(invoker);
        var acked = new ConcurrentDictionary<int, Hazard>();
        var statuses = new ConcurrentBag<StatusCode>();
        var next = -1;
        const int Total = 120;
        async Task Writer()
        {
            for (var n = Interlocked.Increment(ref next); n < Total; n = Interlocked.Increment(ref next))
            {
                var request = new ReportHazardRequest
                {
                    Parent = $"enterprises/{enterprise.CreditCode}",
                    Hazard = ApiDriver.Finding(ReportChannel.SelfReport, Sector.Chemicals, $"O-{n}", $"位置 {n}", DateTimeOffset.UtcNow.AddDays(-1)),
                    RequestId = $"outage-{n}",
                };
                for (var attempt = 0; ; attempt++)
                {
                    try
                    {
                        acked[n] = (await hazards.ReportHazardAsync(request, deadline: DateTime.UtcNow.AddSeconds(10))).Hazard;
                        break;
                    }
                    catch (RpcException ex) when (attempt < 100)
                    {
                        statuses.Add(ex.StatusCode);
                        await Task.Delay(200);
                    }
                }
            }
        }

        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(Writer)).ToArray();
        await Eventually.Until(() => acked.Count >= 30, "a quarter of the load to be acknowledged before the outage", TimeSpan.FromSeconds(60));

        await postgres.StopAsync();

        // The outage is under way for the writers, not only for the server: keep it until they have
        // failed again and again (each writer pauses 200 ms between attempts, so two failures per
        // writer mean every writer has met it), then bring the database back.
        await Eventually.Until(() => statuses.Count >= 2 * writers.Length, "the writers to fail repeatedly while the database is down", TimeSpan.FromSeconds(30));
        var ackedWhileDown = acked.Count;
        await postgres.RestartAsync();
        await Task.WhenAll(writers);
        output.WriteLine($"failed attempts while the database was down: {string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Key} × {g.Count()}"))}; acknowledged {acked.Count}");

        Assert.NotEmpty(statuses);
        Assert.All(statuses, s => Assert.Equal(StatusCode.Unavailable, s));
        Assert.Equal(Total, acked.Count);
        Assert.True(ackedWhileDown < Total);

        var found = new List<Hazard>();
        for (var number = 1; ; number++)
        {
            try
            {
                found.Add(await Retry(() => hazards.GetHazardAsync(new GetHazardRequest { Name = $"enterprises/{enterprise.CreditCode}/hazards/{number}" }).ResponseAsync));
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                break;
            }
        }

        Assert.Equal(Total, found.Count);
        Assert.Equal(Total, found.Select(h => h.Criterion).Distinct().Count());
        var regions = new RegionService.RegionServiceClient(invoker);
        await Eventually.Holds(
            async () => Assert.Equal(Registered(Total), await RegionFigures(regions, "37")),
            $"the province to count the {Total} hazards",
            TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task Stopping_every_process_and_starting_again_keeps_all_state_and_pending_escalations()
    {
        var database = await _postgres.CreateDatabaseAsync();
        var settings = new[] { "--HazardGrid:Mode=PostgreSql", $"--ConnectionStrings:HazardGrid={database}", "--HazardGrid:ClusterId=restart" };
        var town = TestData.TownsOf("370406", 1)[0];
        var enterprise = TestData.NewEnterprise(town);
        var names = new List<string>();
        Hazard[] before;
        Api.V1.RegionStatus provinceBefore;

        var first = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => SiloProcess.StartAsync(string.Empty, settings)));
        _processes.AddRange(first);
        var (channel, invoker) = first[0].Connect("restart-test");
        using (channel)
        {
            var hazards = new HazardService.HazardServiceClient(invoker);
            await Retry(() => new EnterpriseService.EnterpriseServiceClient(invoker).RegisterEnterpriseAsync(new RegisterEnterpriseRequest { Enterprise = enterprise, RequestId = "e" }).ResponseAsync);
            for (var n = 0; n < 6; n++)
            {
                var reported = await Retry(() => hazards.ReportHazardAsync(new ReportHazardRequest
                {
                    Parent = $"enterprises/{enterprise.CreditCode}",
                    Hazard = ApiDriver.Finding(ReportChannel.Inspection, Sector.Chemicals, $"R-{n}", $"位置 {n}", DateTimeOffset.UtcNow.AddDays(-1)),
                    RequestId = $"r-{n}",
                }).ResponseAsync);
                names.Add(reported.Hazard.Name);
                if (n % 2 == 0)
                {
                    await Retry(() => hazards.StartRectificationAsync(new StartRectificationRequest
                    {
                        Name = reported.Hazard.Name,
                        Deadline = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(10 + n)),
                        Plan = "整改",
                        RequestId = $"s-{n}",
                    }).ResponseAsync);
                }
            }

            before = await Task.WhenAll(names.Select(n => Retry(() => hazards.GetHazardAsync(new GetHazardRequest { Name = n }).ResponseAsync)));
            var regions = new RegionService.RegionServiceClient(invoker);
            provinceBefore = await Eventually.Until(
                () => regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" }).ResponseAsync,
                p => p.Figures.Open >= 6,
                "the province to count the six hazards",
                TimeSpan.FromSeconds(30));
        }

        foreach (var silo in first)
        {
            silo.Kill();
        }

        var second = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => SiloProcess.StartAsync(string.Empty, settings)));
        _processes.AddRange(second);
        var (channel2, invoker2) = second[1].Connect("restart-test");
        using (channel2)
        {
            var hazards = new HazardService.HazardServiceClient(invoker2);
            var after = await Task.WhenAll(names.Select(n => Retry(() => hazards.GetHazardAsync(new GetHazardRequest { Name = n }).ResponseAsync)));
            Assert.Equal(before, after);
            // The shipped configuration (src/Silo/appsettings.json) warns before the deadline, at the
            // later of 7 days or 20% of the period before it: with 10-14 days to go, 2-2.8 days before.
            var rectifying = after.Where(h => h.State == HazardState.Rectifying).ToList();
            Assert.Equal(3, rectifying.Count);
            Assert.All(rectifying, h =>
            {
                Assert.Equal(EscalationStep.DeadlineWarning, h.Ladder.NextStep);
                Assert.InRange(h.Ladder.NextDueTime.ToDateTimeOffset(), h.Deadline.ToDateTimeOffset().AddDays(-3), h.Deadline.ToDateTimeOffset());
            });
            var regions = new RegionService.RegionServiceClient(invoker2);
            await Eventually.Holds(
                async () => Assert.Equal(provinceBefore.Figures, await RegionFigures(regions, "37")),
                "the restarted province to show what it showed before",
                TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>The figures of <paramref name="count"/> hazards registered yesterday in chemicals,
    /// listed at county level: the test's own count, not the product's.</summary>
    private static HazardFigures Registered(int count) =>
        Figures.Of(registered: count, openIncrement: count, sectors: count == 0 ? [] : [Figures.In(Sector.Chemicals, open: count)]);

    private static async Task<HazardFigures> RegionFigures(RegionService.RegionServiceClient regions, string code) =>
        (await Retry(() => regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = $"regions/{code}" }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync)).Figures;

    private static async Task<T> Retry<T>(Func<Task<T>> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown && attempt < 30)
            {
                await Task.Delay(200);
            }
        }
    }
}
