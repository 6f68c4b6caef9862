using System.Diagnostics;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using HazardGrid.Api.V1;
using HazardGrid.Regions;

namespace HazardGrid.Bench;

/// <summary>
/// Issue 12's "one busy town": a chemical park, 64 systems reporting distinct hazards into one town
/// at once, against the same 64 callers reporting into enterprises spread over 64 towns, in the
/// same run on the same service. Each caller owns one enterprise (registered first) and reports a
/// new finding with every call, one <c>ReportHazard</c> at a time; the busy side's enterprises all
/// sit in one town, the spread side's each in a town of its own. Goal: the busy town sustains
/// ≥ 0.5× the spread rate with p99 ≤ 100 ms.
/// <para>The phases alternate spread, busy, busy, spread (after a short warm-up of each), so that
/// drift of the machine falls on both sides alike; the busy town keeps growing through its phases,
/// as a park's town would. Besides rates and latencies the bench prints what explains them: the
/// service's CPU per report and the reports per town-ledger write (the town's group commit; from
/// the silo's own counter <c>hazardgrid.ledger.writes</c> on <c>/metrics</c>).</para>
/// </summary>
internal static class BusyTown
{
    private const int Callers = 64;

    public static async Task<int> RunAsync(string silo, TimeSpan phase, bool postgres)
    {
        var data = Path.Combine(Path.GetTempPath(), "hazardgrid-bench-busytown-" + Guid.NewGuid().ToString("N"));
        string? admin = null;
        string? database = null;
        var settings = Array.Empty<string>();
        if (postgres)
        {
            admin = Environment.GetEnvironmentVariable("HAZARDGRID_TEST_POSTGRES")
                ?? throw new InvalidOperationException("Set HAZARDGRID_TEST_POSTGRES (eval \"$(.ci/postgres-up)\").");
            database = "hg_bench_" + Guid.NewGuid().ToString("N")[..8];
            await Sql(admin, $"CREATE DATABASE {database}");
            var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(admin) { Database = database }.ToString();
            settings = ["--HazardGrid:Mode=PostgreSql", $"--ConnectionStrings:HazardGrid={connectionString}"];
        }

        try
        {
            return await RunAsync(silo, phase, postgres, data, settings);
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }

            if (admin is not null)
            {
                Npgsql.NpgsqlConnection.ClearAllPools();
                await Sql(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            }
        }
    }

    private static async Task<int> RunAsync(string silo, TimeSpan phase, bool postgres, string data, string[] settings)
    {
        Console.WriteLine($"One busy town: {Callers} callers, each reporting distinct hazards with single ReportHazard calls, into one town vs spread over {Callers} towns; {(postgres ? "PostgreSQL" : "embedded")} mode, {Environment.ProcessorCount} cores, {phase.TotalSeconds:F0} s per phase");
        using var service = new ServiceProcess(silo, data, http: true, settings);
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{service.GrpcPort}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{service.HttpPort}") };
        var invoker = channel.Intercept(h => { h.Add("authorization", $"Bearer {ServiceProcess.Token()}"); return h; });
        var enterprises = new EnterpriseService.EnterpriseServiceClient(invoker);
        var hazards = new HazardService.HazardServiceClient(invoker);
        var regionsApi = new RegionService.RegionServiceClient(invoker);

        // The busy town, and 64 other towns spread over the province (every n-th of the catalog).
        var towns = RegionCatalog.Shandong.All.Where(r => r.Level == HazardGrid.Regions.RegionLevel.Town).Select(r => r.Code).ToArray();
        var park = towns[towns.Length / 2];
        var spreadTowns = Enumerable.Range(0, Callers).Select(i => towns[(i * towns.Length / Callers + 1) % towns.Length]).Where(t => t != park).Take(Callers).ToArray();
        var busy = new Side("one town", "b", Enumerable.Range(0, Callers).Select(i => Code(park, i)).ToArray());
        var spread = new Side($"{spreadTowns.Length} towns", "s", spreadTowns.Select((t, i) => Code(t, 100 + i)).ToArray());

        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await Register(busy.Enterprises[0], park, 0);
                break;
            }
            catch (RpcException) when (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(100);
            }
        }

        await Parallel.ForEachAsync(Enumerable.Range(1, Callers - 1), async (i, _) => await Register(busy.Enterprises[i], park, i));
        await Parallel.ForEachAsync(Enumerable.Range(0, spread.Enterprises.Length), async (i, _) => await Register(spread.Enterprises[i], spreadTowns[i], 100 + i));

        // Warm-up (JIT, connections, activations of enterprises, towns and the cascade), not counted.
        var warm = TimeSpan.FromSeconds(Math.Min(3, phase.TotalSeconds));
        await Ingest(spread, warm, count: false);
        await Ingest(busy, warm, count: false);

        foreach (var side in new[] { spread, busy, busy, spread })
        {
            var load = await Ingest(side, phase, count: true);
            Console.WriteLine($"  {side.Name,-9} {load.PerSecond,7:N0} reports/s, p50 {load.P(50),6:F1} ms, p99 {load.P(99),6:F1} ms, service CPU {side.LastCpuMs:F2} ms a report, {side.LastPerLedgerWrite:F1} reports a ledger write");
        }

        // The busy town's own count: every acknowledged report is in it (the figures are a recount of its ledger).
        var counted = await Eventually(async () => (await regionsApi.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/" + park })).Figures.Registered, busy.Acknowledged);
        var ratio = busy.PerSecond / spread.PerSecond;
        var met = ratio >= 0.5 && busy.P(99) <= 100;
        Console.WriteLine();
        Console.WriteLine("| figure | value | baseline | ratio | goal | met |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        Console.WriteLine($"| one busy town: {Callers} callers reporting distinct hazards into one town, reports/s (p50 / p99) | {busy.PerSecond:N0}/s ({busy.P(50):F1} / {busy.P(99):F1} ms) | {spread.PerSecond:N0}/s ({spread.P(50):F1} / {spread.P(99):F1} ms) the same callers spread over {spreadTowns.Length} towns | {ratio:F2} | ≥ 0.5×, p99 ≤ 100 ms | {(met ? "yes" : "no")} |");
        Console.WriteLine($"| busy town: service CPU per report; reports per town-ledger write | {busy.CpuMs:F2} ms; {busy.PerLedgerWrite:F1} | {spread.CpuMs:F2} ms; {spread.PerLedgerWrite:F1} spread | {busy.CpuMs / spread.CpuMs:F2} | | |");
        Console.WriteLine($"| busy town's figures count every acknowledged report | {counted:N0} registered in town {park} | {busy.Acknowledged:N0} acknowledged (warm-up included) | | equal | {(counted == busy.Acknowledged ? "yes" : "no")} |");
        return 0;

        async Task Register(string code, string town, int i)
        {
            var e = new Enterprise { CreditCode = code, DisplayName = $"园区企业{i}", Town = town, Principal = new Person { Name = "负责人" }, ActualController = new Person { Name = "控制人" } };
            e.Sectors.Add(Sector.Chemicals);
            await enterprises.RegisterEnterpriseAsync(new RegisterEnterpriseRequest { Enterprise = e, RequestId = $"busy-e{i}" });
        }

        // One phase: caller w reports into its own enterprise, a new finding each call.
        async Task<Load> Ingest(Side side, TimeSpan duration, bool count)
        {
            var cpu = service.CpuTime;
            var writes = await LedgerWrites(http);
            var latencies = new List<double>[Callers];
            var acknowledged = 0;
            var phaseClock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Callers).Select(w => Task.Run(async () =>
            {
                latencies[w] = [];
                var code = side.Enterprises[w % side.Enterprises.Length];
                while (phaseClock.Elapsed < duration)
                {
                    var n = Interlocked.Increment(ref side.Next);
                    var started = phaseClock.Elapsed;
                    await hazards.ReportHazardAsync(new ReportHazardRequest
                    {
                        Parent = $"enterprises/{code}",
                        Hazard = new NewHazard
                        {
                            Channel = ReportChannel.Inspection, Sector = Sector.Chemicals, Criterion = $"P-{n}", Location = $"罐区-{n}",
                            Description = "园区基准隐患", FoundTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-1)),
                        },
                        RequestId = $"busy-{side.Tag}{n}",
                    });
                    latencies[w].Add((phaseClock.Elapsed - started).TotalMilliseconds);
                    Interlocked.Increment(ref acknowledged);
                }
            })));
            var load = new Load(acknowledged, phaseClock.Elapsed, latencies.SelectMany(l => l).Order().ToList());
            side.Acknowledged += acknowledged;
            var usedCpu = service.CpuTime - cpu;
            var ledgerWrites = await LedgerWrites(http) - writes;
            side.LastCpuMs = usedCpu.TotalMilliseconds / Math.Max(1, acknowledged);
            side.LastPerLedgerWrite = acknowledged / (double)Math.Max(1, ledgerWrites);
            if (count)
            {
                side.Latencies.AddRange(load.LatenciesMs);
                side.Elapsed += load.Elapsed;
                side.Cpu += usedCpu;
                side.LedgerWrites += ledgerWrites;
            }

            return load;
        }
    }

    private static string Code(string town, int i) =>
        HazardGrid.Enterprises.UnifiedSocialCreditCode.Complete("91" + town[..6] + i.ToString("D8", CultureInfo.InvariantCulture) + "X");

    /// <summary>The silo's town-ledger writes so far (its Prometheus counter).</summary>
    private static async Task<long> LedgerWrites(HttpClient http)
    {
        var metrics = await http.GetStringAsync("/metrics");
        return metrics.Split('\n')
            .Where(l => l.StartsWith("hazardgrid_ledger_writes", StringComparison.Ordinal) && !l.StartsWith('#'))
            .Sum(l => (long)double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    private static async Task<long> Eventually(Func<Task<long>> read, long expected)
    {
        var clock = Stopwatch.StartNew();
        long value;
        while ((value = await read()) != expected && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
        }

        return value;
    }

    private static async Task Sql(string connectionString, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>One side of the comparison: its enterprises (one per caller) and its counted phases.</summary>
    private sealed class Side(string name, string tag, string[] enterprises)
    {
        public int Next;

        public string Tag { get; } = tag;

        public string Name { get; } = name;

        public string[] Enterprises { get; } = enterprises;

        public List<double> Latencies { get; } = [];

        public TimeSpan Elapsed { get; set; }

        public TimeSpan Cpu { get; set; }

        public long LedgerWrites { get; set; }

        public long Acknowledged { get; set; }

        public double LastCpuMs { get; set; }

        public double LastPerLedgerWrite { get; set; }

        public double PerSecond => Latencies.Count / Elapsed.TotalSeconds;

        public double CpuMs => Cpu.TotalMilliseconds / Math.Max(1, Latencies.Count);

        public double PerLedgerWrite => Latencies.Count / (double)Math.Max(1, LedgerWrites);

        public double P(int percentile)
        {
            Latencies.Sort();
            return Load.Percentile(Latencies, percentile);
        }
    }
}
