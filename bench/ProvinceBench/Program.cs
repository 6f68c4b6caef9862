// Full-province load: the simulator's province (default 1,000,000 enterprises, 200,000 hazards)
// pushed through the gRPC API of one silo in PostgreSQL mode, as real processes on this machine.
// Prints the load time next to the time PostgreSQL itself needs for the same number of durable
// single-row writes (pgbench, same concurrency, measured in this run), checks the province totals
// against the simulator's own count, and measures the silo's memory once its enterprise and
// hazard grains have been deactivated for idleness. Between the two, issue 9's reads of the loaded
// province by a province supervisor (ProvinceQueries.cs): the first page of a filtered
// province-wide list, paging through every hazard, and a year's statistics, each against a
// baseline measured in the same run; then issue 10's (ConsoleReads.cs): the province page in a
// real browser, a change's arrival on it, and the province's monthly circular as PDF.
//
//   bench/run [seconds per service phase] [enterprises] [hazards]     (the province load runs last)
//   dotnet run -c Release --project bench/ProvinceBench -- [enterprises] [hazards] [concurrency]
//   (needs HAZARDGRID_TEST_POSTGRES: eval "$(.ci/postgres-up)")
using System.Diagnostics;
using System.Globalization;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using HazardGrid.Api.V1;
using HazardGrid.Bench;
using HazardGrid.Simulator;

var enterprises = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var hazards = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000;
var concurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 64;
var idleLimit = TimeSpan.FromMinutes(5);
var admin = Environment.GetEnvironmentVariable("HAZARDGRID_TEST_POSTGRES")
    ?? throw new InvalidOperationException("Set HAZARDGRID_TEST_POSTGRES (eval \"$(.ci/postgres-up)\").");

var database = "hg_province_" + Guid.NewGuid().ToString("N")[..8];
await using (var connection = new Npgsql.NpgsqlConnection(admin))
{
    await connection.OpenAsync();
    await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {database}", connection);
    await create.ExecuteNonQueryAsync();
}

var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(admin) { Database = database }.ToString();
Console.WriteLine($"Province bench: {enterprises:N0} enterprises, {hazards:N0} hazards, {concurrency} calls in flight, one PostgreSQL-mode silo, database {database}, {Environment.ProcessorCount} cores");

// The limit: PostgreSQL's own durable single-row inserts at the same concurrency.
var pgbenchRate = await PostgresBaseline.SingleRowInsertsPerSecond(connectionString, concurrency, TimeSpan.FromSeconds(10));

var silo = Path.Combine(AppContext.BaseDirectory, "HazardGrid.Silo.dll");
using var service = new ServiceProcess(silo, Path.GetTempPath(), http: true, "--HazardGrid:Mode=PostgreSql", $"--ConnectionStrings:HazardGrid={connectionString}",
    $"--HazardGrid:Circulars:KeepBrowserFor={ConsoleReads.KeepBrowserFor}"); // so that ConsoleReads sees the printing browser both cold and kept
using var channel = LoadRunner.CreateChannel($"http://127.0.0.1:{service.GrpcPort}"); // the simulator's retries on UNAVAILABLE
var regionsApi = new RegionService.RegionServiceClient(channel.Intercept(h => { h.Add("authorization", $"Bearer {ServiceProcess.Token()}"); return h; }));
await WaitUntil(async () => { try { await regionsApi.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" }); return true; } catch (Grpc.Core.RpcException) { return false; } }, TimeSpan.FromSeconds(60));

var anchor = DateTimeOffset.UtcNow;
var model = ProvinceModel.Generate(1, enterprises, hazards, anchor);
var bar = new ProgressBar();
var runner = new LoadRunner(channel.CreateCallInvoker(), model, concurrency, anchor, SimulatedSystems.FromKey(ServiceProcess.Key), bar.Report);
long peak = 0;
using var sampler = new Timer(_ => Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), service.WorkingSet)), null, TimeSpan.Zero, TimeSpan.FromSeconds(1));

var clock = Stopwatch.StartNew();
await runner.LoadAsync();
var loaded = clock.Elapsed;

// Settled: the province counts what the simulator pushed (the cascade batches, so allow it a moment).
var expected = model.ExpectedProvince();
Expected actual = Expected.Of(new HazardFigures());
await WaitUntil(async () => (actual = Expected.Of((await regionsApi.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" })).Figures)) == expected, TimeSpan.FromMinutes(2));
var settled = clock.Elapsed - loaded;
var memoryLoaded = service.WorkingSet;

var supervisor = channel.Intercept(h => { h.Add("authorization", $"Bearer {ServiceProcess.Token("supervisor", "37", "bench-supervisor")}"); return h; });
List<string> queryRows;
try
{
    queryRows = await ProvinceQueries.RunAsync(supervisor, connectionString, () => clock.Elapsed - loaded);
    queryRows.ForEach(row => Console.WriteLine("  " + row)); // now (indented: bench/run collects the table's rows at the end)
}
catch (Grpc.Core.RpcException ex)
{
    // The load's figures still count: report the failure as a row rather than lose the run.
    Console.WriteLine($"The province reads failed: {ex.Status}");
    queryRows = [$"| province reads (lists, paging, statistics) | failed: {ex.StatusCode} | | | | no |"];
}

// Issue 10's reads: the console in a browser and the province's circular (ConsoleReads.cs).
try
{
    var operatorCalls = channel.Intercept(h => { h.Add("authorization", $"Bearer {ServiceProcess.Token("operator", "37", "bench-operator")}"); return h; });
    var systemCalls = channel.Intercept(h => { h.Add("authorization", $"Bearer {ServiceProcess.Token()}"); return h; });
    var consoleRows = await ConsoleReads.RunAsync(service.HttpPort, operatorCalls, systemCalls, supervisor);
    consoleRows.ForEach(row => Console.WriteLine("  " + row));
    queryRows.AddRange(consoleRows);
}
catch (Exception ex) when (ex is Grpc.Core.RpcException or Microsoft.Playwright.PlaywrightException or TimeoutException)
{
    Console.WriteLine($"The console reads failed: {ex.Message}");
    queryRows.Add($"| console reads (province page, live change, circular PDF) | failed: {ex.GetType().Name} | | | | no |");
}

var queriesDone = clock.Elapsed;

// Idle: enterprise and hazard grains deactivate after an idle minute (CollectionAgeLimit); the
// silo's idle trimmer then collects what they left and returns it (checked once a minute).
var idleClock = Stopwatch.StartNew();
using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{service.HttpPort}") };
var idle = await WaitUntil(async () => await LiveActivations(http) == 0, idleLimit);
var idleAfter = idleClock.Elapsed;
var memoryIdle = service.WorkingSet;
var trimClock = Stopwatch.StartNew();
while (trimClock.Elapsed < TimeSpan.FromSeconds(150) && memoryIdle > 0.7 * memoryLoaded)
{
    await Task.Delay(TimeSpan.FromSeconds(5));
    memoryIdle = Math.Min(memoryIdle, service.WorkingSet);
}

var writes = enterprises + 2L * hazards; // the fewest durable writes the load needs: an enterprise, a hazard report, its life after
var baseline = TimeSpan.FromSeconds(writes / pgbenchRate);
Console.WriteLine();
Console.WriteLine($"Loaded in {loaded.TotalSeconds:F1} s: {runner.Stats.Calls:N0} calls ({runner.Stats.Calls / loaded.TotalSeconds:N0}/s), {runner.Stats.Retries:N0} retries, {runner.Stats.DuplicatesAbsorbed:N0} repeated findings absorbed; province settled {settled.TotalSeconds:F1} s later.");
foreach (var (label, mine, theirs) in Expected.Compare(expected, actual))
{
    Console.WriteLine($"  {label,-24} simulator {mine,9:N0}   province {theirs,9:N0}   {(mine == theirs ? "equal" : "DIFFERENT")}");
}

Console.WriteLine();
Console.WriteLine("| figure | value | baseline | ratio | goal | met |");
Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
Console.WriteLine($"| full-province load: {enterprises:N0} enterprises + {hazards:N0} hazards | {loaded.TotalMinutes:F1} min | {baseline.TotalMinutes:F1} min for {writes:N0} pgbench single-row inserts ({pgbenchRate:N0}/s) | {loaded / baseline:F2} | ≤ 10 min | {(loaded <= TimeSpan.FromMinutes(10) ? "yes" : "no")} |");
Console.WriteLine($"| province totals equal the simulator's count | {(actual == expected ? "equal" : "DIFFERENT")} | {expected.Registered + expected.Rectifying + expected.AwaitingVerification + expected.Closed + expected.Withdrawn + expected.Invalid:N0} hazards counted by the simulator | | equal | {(actual == expected ? "yes" : "no")} |");
Console.WriteLine($"| silo memory after idle deactivation | {memoryIdle / Gib:F2} GiB | {memoryLoaded / Gib:F2} GiB right after the load | {(double)memoryIdle / memoryLoaded:F2} | ≤ 4 GiB | {(idle && memoryIdle <= 4 * Gib ? "yes" : "no")} |");
Console.WriteLine($"| silo peak memory during the load | {peak / Gib:F2} GiB | | | | |");
Console.WriteLine($"| time until idle grains were deactivated | {(idle ? $"{idleAfter.TotalSeconds:F0} s after the reads ({(queriesDone - loaded - settled).TotalSeconds:F0} s of reads)" : $"not within {idleLimit.TotalMinutes:F0} min")} | | | | |");
foreach (var row in queryRows)
{
    Console.WriteLine(row);
}

return actual == expected ? 0 : 1;

static async Task<long> LiveActivations(HttpClient http)
{
    // The silo's Prometheus endpoint: live activations by grain type (orleans_catalog_activations;
    // not ..._working_set, which counts only the recently used ones).
    var metrics = await http.GetStringAsync("/metrics");
    return metrics.Split('\n')
        .Where(l => l.StartsWith("orleans_catalog_activations{", StringComparison.Ordinal)
            && (l.Contains("grain_type=\"enterprise\"", StringComparison.Ordinal) || l.Contains("grain_type=\"majorhazard\"", StringComparison.Ordinal)))
        .Sum(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}

static async Task<bool> WaitUntil(Func<Task<bool>> condition, TimeSpan limit)
{
    var clock = Stopwatch.StartNew();
    while (!await condition())
    {
        if (clock.Elapsed > limit)
        {
            return false;
        }

        await Task.Delay(500);
    }

    return true;
}

internal static partial class Program
{
    private const double Gib = 1024.0 * 1024 * 1024;
}
