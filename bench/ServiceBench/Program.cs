// Service benchmarks against the one-command (embedded) service as a real process, each figure
// next to a limit measured in the same run on the same machine:
//   cold start          process start → first acknowledged write           goal ≤ 10 s
//   durable ingest      hazard reports acknowledged per second             vs SQLite's own single-row
//                                                                           durable inserts, same concurrency
//   status queries      region status reads per second under write load    vs a trivial gRPC call (health
//                       and their p50/p99 latency                          check) on the same server; ≥ 0.5×, p99 ≤ 10 ms
//   rollup freshness    acknowledgement → province figure reflecting it    p99 ≤ 1 s
//
//   bench/run [seconds per phase]
//   dotnet run -c Release --project bench/ServiceBench -- [seconds] [embedded|postgres|auth [rounds]|busytown [postgres]]
//   (postgres: one silo in PostgreSQL mode on HAZARDGRID_TEST_POSTGRES; the ingest baseline is then
//    pgbench's single-row inserts at the same concurrency, and the goal is ≥ 0.6×;
//    auth: the cost of authentication on the write path, durable ingest with credentials against the
//    same build without authentication, alternating; goal ≥ 0.95×, see AuthCost.cs;
//    conventional [rounds]: issue 12, HazardGrid in PostgreSQL mode against the conventional design
//    of the same API (bench/ConventionalService), alternating rounds; goal ≥ 1.0×, see ConventionalBaseline.cs;
//    busytown [postgres]: 64 callers reporting into one town vs spread over 64 towns, see BusyTown.cs)
using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Health.V1;
using Grpc.Net.Client;
using HazardGrid.Api.V1;
using HazardGrid.Bench;
using HazardGrid.Regions;
using Microsoft.Data.Sqlite;

var phase = TimeSpan.FromSeconds(args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10);
var postgres = args.Length > 1 && args[1] == "postgres";
const int Concurrency = 32;
var silo = Path.Combine(AppContext.BaseDirectory, "HazardGrid.Silo.dll");
if (args.Length > 1 && args[1] == "conventional")
{
    return await ConventionalBaseline.RunAsync(silo, phase, args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 2);
}

if (args.Length > 1 && args[1] == "auth")
{
    return await AuthCost.RunAsync(silo, phase, args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 4);
}

if (args.Length > 1 && args[1] == "busytown")
{
    return await BusyTown.RunAsync(silo, phase, postgres: args.Length > 2 && args[2] == "postgres");
}

var data = Path.Combine(Path.GetTempPath(), "hazardgrid-bench-" + Guid.NewGuid().ToString("N"));
var rows = new List<Row>();
string? connectionString = null;
var settings = Array.Empty<string>();
if (postgres)
{
    var admin = Environment.GetEnvironmentVariable("HAZARDGRID_TEST_POSTGRES")
        ?? throw new InvalidOperationException("Set HAZARDGRID_TEST_POSTGRES (eval \"$(.ci/postgres-up)\").");
    var database = "hg_bench_" + Guid.NewGuid().ToString("N")[..8];
    await using (var connection = new Npgsql.NpgsqlConnection(admin))
    {
        await connection.OpenAsync();
        await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {database}", connection);
        await create.ExecuteNonQueryAsync();
    }

    connectionString = new Npgsql.NpgsqlConnectionStringBuilder(admin) { Database = database }.ToString();
    settings = ["--HazardGrid:Mode=PostgreSql", $"--ConnectionStrings:HazardGrid={connectionString}"];
}

Console.WriteLine($"HazardGrid service bench: {(postgres ? "PostgreSQL" : "embedded")} mode, {Environment.ProcessorCount} cores, {Concurrency} calls in flight, {phase.TotalSeconds:F0} s per phase");

// 1. Cold start: process start to the first acknowledged write.
var startClock = Stopwatch.StartNew();
using var service = new ServiceProcess(silo, data, settings);
using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{service.GrpcPort}");
var invoker = channel.Intercept(h => { h.Add("authorization", $"Bearer {ServiceProcess.Token()}"); return h; });
var enterprises = new EnterpriseService.EnterpriseServiceClient(invoker);
var hazards = new HazardService.HazardServiceClient(invoker);
var regionsApi = new RegionService.RegionServiceClient(invoker);
var towns = RegionCatalog.Shandong.All.Where(r => r.Level == HazardGrid.Regions.RegionLevel.Town).Select(r => r.Code).ToArray();
var codes = Enumerable.Range(0, 2_000).Select(i => (Town: towns[i % towns.Length], Code: HazardGrid.Enterprises.UnifiedSocialCreditCode.Complete("91" + towns[i % towns.Length][..6] + i.ToString("D8", System.Globalization.CultureInfo.InvariantCulture) + "X"))).ToArray();
while (true)
{
    try
    {
        await Register(0);
        break;
    }
    catch (RpcException) when (startClock.Elapsed < TimeSpan.FromSeconds(60))
    {
        await Task.Delay(50);
    }
}

var coldStart = startClock.Elapsed;
rows.Add(new("cold start: process start → first acknowledged write", $"{coldStart.TotalSeconds:F1} s", "", "", "≤ 10 s", coldStart.TotalSeconds <= 10));
await Parallel.ForEachAsync(Enumerable.Range(1, codes.Length - 1), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, _) => await Register(i));

// 2. Baselines: a trivial gRPC call on the same server, and SQLite's own durable single-row inserts.
var health = new Health.HealthClient(channel);
var trivial = await Load.Run(phase, Concurrency, async _ => await health.CheckAsync(new HealthCheckRequest()));
var trivialHalf = await Load.Run(phase, Concurrency / 2, async _ => await health.CheckAsync(new HealthCheckRequest()));
var (storeName, storeRate) = postgres
    ? ("PostgreSQL single-row inserts (pgbench)", await PostgresBaseline.SingleRowInsertsPerSecond(connectionString!, Concurrency, phase))
    : ("SQLite single-row inserts", await SqliteBaseline(Path.Combine(data, "baseline.db"), phase));

// 3. Durable ingest: hazard reports, each acknowledged only once stored in the hazard and its town.
long reported = 0;
var ingest = await Load.Run(phase, Concurrency, async n => await Report(n));
rows.Add(new("durable ingest: hazard reports acknowledged/s", $"{ingest.PerSecond:N0}/s", $"{storeRate:N0}/s {storeName}", $"{ingest.PerSecond / storeRate:F2}",
    postgres ? "≥ 0.6×" : "(embedded: no goal)", postgres ? ingest.PerSecond / storeRate >= 0.6 : null));

// 4. Status queries alone, then under write load (half the calls write, half read), vs the trivial call.
var regions = RegionCatalog.Shandong.All.Select(r => r.Code).ToArray();
var idle = await Load.Run(phase, Concurrency, async n => await regionsApi.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/" + regions[n % regions.Length] }));
var queries = Load.Run(phase, Concurrency / 2, async n => await regionsApi.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/" + regions[n % regions.Length] }));
var writes = Load.Run(phase, Concurrency / 2, async n => await Report(1_000_000 + n));

// 5. Rollup freshness, sampled during the same load: how long until the province counts every
//    report acknowledged before the sample began.
var freshness = new List<double>();
var sampling = Task.Run(async () =>
{
    var until = Stopwatch.StartNew();
    while (until.Elapsed < phase - TimeSpan.FromSeconds(1))
    {
        var acked = Interlocked.Read(ref reported);
        var probe = Stopwatch.StartNew();
        while ((await regionsApi.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" })).Figures.Registered < acked)
        {
            await Task.Delay(5);
        }

        freshness.Add(probe.Elapsed.TotalMilliseconds);
        await Task.Delay(100);
    }
});
var (q, w) = (await queries, await writes);
await sampling;
rows.Add(new($"status queries/s under write load ({Concurrency / 2} readers, {Concurrency / 2} writers)", $"{q.PerSecond:N0}/s", $"{trivialHalf.PerSecond:N0}/s trivial gRPC (health check), {Concurrency / 2} callers", $"{q.PerSecond / trivialHalf.PerSecond:F2}", "≥ 0.5×", q.PerSecond / trivialHalf.PerSecond >= 0.5));
rows.Add(new("status query latency p50 / p99", $"{q.P(50):F1} / {q.P(99):F1} ms", $"{trivialHalf.P(50):F1} / {trivialHalf.P(99):F1} ms trivial", "", "p99 ≤ 10 ms", q.P(99) <= 10));
rows.Add(new("writes/s during the query phase", $"{w.PerSecond:N0}/s", "", "", "", null));
rows.Add(new("status queries/s with no writes (p50 / p99)", $"{idle.PerSecond:N0}/s ({idle.P(50):F1} / {idle.P(99):F1} ms)", $"{trivial.PerSecond:N0}/s trivial gRPC", $"{idle.PerSecond / trivial.PerSecond:F2}", "", null));
freshness.Sort();
var f99 = Load.Percentile(freshness, 99);
rows.Add(new("rollup freshness: ack → province, p50 / p99", $"{Load.Percentile(freshness, 50):F0} / {f99:F0} ms ({freshness.Count} samples)", "", "", "p99 ≤ 1,000 ms", f99 <= 1000));
rows.Add(new("service peak memory", $"{service.PeakWorkingSet / (1024.0 * 1024):N0} MiB", "", "", "", null));

Console.WriteLine();
Console.WriteLine("| figure | value | baseline | ratio | goal | met |");
Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
foreach (var row in rows)
{
    Console.WriteLine($"| {row.Figure} | {row.Value} | {row.Baseline} | {row.Ratio} | {row.Goal} | {(row.Met is null ? "" : row.Met.Value ? "yes" : "no")} |");
}

service.Dispose();
channel.Dispose();
if (Directory.Exists(data))
{
    Directory.Delete(data, recursive: true);
}

return 0;

async Task Register(int i)
{
    var e = new Enterprise { CreditCode = codes[i].Code, DisplayName = $"基准企业{i}", Town = codes[i].Town, Principal = new Person { Name = "负责人" }, ActualController = new Person { Name = "控制人" } };
    e.Sectors.Add(Sector.Chemicals);
    await enterprises.RegisterEnterpriseAsync(new RegisterEnterpriseRequest { Enterprise = e, RequestId = $"bench-e{i}" });
}

async Task Report(int n)
{
    var (_, code) = codes[n % codes.Length];
    await hazards.ReportHazardAsync(new ReportHazardRequest
    {
        Parent = $"enterprises/{code}",
        Hazard = new NewHazard
        {
            Channel = ReportChannel.Inspection, Sector = Sector.Chemicals, Criterion = $"B-{n}", Location = $"L-{n}",
            Description = "基准测试隐患", FoundTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-1)),
        },
        RequestId = $"bench-h{n}",
    });
    Interlocked.Increment(ref reported);
}

// The same durability as the service's store (WAL, full sync), one row per transaction.
static async Task<double> SqliteBaseline(string path, TimeSpan phase)
{
    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
    var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
    using (var setup = new SqliteConnection(connectionString))
    {
        setup.Open();
        using var command = setup.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB);";
        command.ExecuteNonQuery();
    }

    var payload = new byte[900];
    var result = await Load.Run(phase, Concurrency, n =>
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO t (payload) VALUES ($p)";
        insert.Parameters.AddWithValue("$p", payload);
        insert.ExecuteNonQuery();
        return Task.CompletedTask;
    });
    return result.PerSecond;
}

// pgbench's own single-row inserts, one per transaction, synchronous commit as configured.
internal sealed record Row(string Figure, string Value, string Baseline, string Ratio, string Goal, bool? Met);

/// <summary>A closed-loop load: <c>concurrency</c> workers call as fast as answers come, for a while.</summary>
internal sealed record Load(int Count, TimeSpan Elapsed, List<double> LatenciesMs)
{
    public double PerSecond => Count / Elapsed.TotalSeconds;

    public double P(int percentile) => Percentile(LatenciesMs, percentile);

    public static double Percentile(List<double> sorted, int percentile) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1)];

    public static async Task<Load> Run(TimeSpan duration, int concurrency, Func<int, Task> call)
    {
        var latencies = new List<double>[concurrency];
        var next = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            latencies[w] = [];
            while (clock.Elapsed < duration)
            {
                var started = clock.Elapsed;
                await call(Interlocked.Increment(ref next));
                latencies[w].Add((clock.Elapsed - started).TotalMilliseconds);
            }
        })));
        var all = latencies.SelectMany(l => l).Order().ToList();
        return new Load(all.Count, clock.Elapsed, all);
    }
}
