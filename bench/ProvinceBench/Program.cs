// Full-province load: the simulator's province (default 1,000,000 enterprises, 200,000 hazards)
// pushed through the gRPC API of one silo in PostgreSQL mode, as real processes on this machine.
// Prints the load time next to the time PostgreSQL itself needs for the same number of durable
// single-row writes (pgbench, same concurrency, measured in this run), checks the province totals
// against the simulator's own count, and measures the silo's memory once its enterprise and
// hazard grains have been deactivated for idleness. Between the two, issue 9's reads of the loaded
// province by a province supervisor (ProvinceQueries.cs): the first page of a filtered
// province-wide list, paging through every hazard, and a year's statistics, each against a
// baseline measured in the same run; then issue 10's (ConsoleReads.cs): the province page in a
// real browser, a change's arrival on it, and the province's monthly circular as PDF. Last, issue
// 12's cold start (ColdStart.cs): the silo stopped and started again on the same database, timed
// to its first acknowledged write and to the whole region tree's figures being what they were.
//
//   bench/run [seconds per service phase] [enterprises] [hazards]     (the province load runs last)
//   dotnet run -c Release --project bench/ProvinceBench -- [enterprises] [hazards] [concurrency] [phases]
//   (needs HAZARDGRID_TEST_POSTGRES: eval "$(.ci/postgres-up)")
// phases: after the load, a comma-separated choice of reads,console,idle,restart (default all four).
// The silo's own environment and extra settings (issue 12's memory runs: GC settings, the idle trimmer):
//   HAZARDGRID_SILO_ENV="DOTNET_GCConserveMemory=5;DOTNET_GCHeapHardLimit=0x80000000"
//   HAZARDGRID_SILO_ARGS="--HazardGrid:IdleMemoryTrimmer:Enabled=false"
// (only the silo gets them: the bench process's own GC stays as it is). The restarted silo of the
// cold start also gets HAZARDGRID_RESTART_SILO_ENV / HAZARDGRID_RESTART_SILO_ARGS (e.g. to trace its
// start from the first instruction: DOTNET_DiagnosticPorts=/tmp/x.sock,suspend, then dotnet-trace
// collect --diagnostic-port /tmp/x.sock). HAZARDGRID_SERVICE_OUTPUT=<directory> keeps every silo's
// whole output, each line with the time since its process started (ServiceProcess).
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
var phases = (args.Length > 3 ? args[3] : "reads,console,idle,restart").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
var siloEnvironment = Split(Environment.GetEnvironmentVariable("HAZARDGRID_SILO_ENV"))
    .Select(pair => pair.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : "", StringComparer.Ordinal);
var siloArgs = Split(Environment.GetEnvironmentVariable("HAZARDGRID_SILO_ARGS"));
// The restarted silo only (the cold start), on top of the two above: to trace its start
// (DOTNET_DiagnosticPorts=…,suspend) or log it in detail without changing the first start or the load.
var restartEnvironment = new Dictionary<string, string>(siloEnvironment, StringComparer.Ordinal);
foreach (var pair in Split(Environment.GetEnvironmentVariable("HAZARDGRID_RESTART_SILO_ENV")).Select(pair => pair.Split('=', 2)))
{
    restartEnvironment[pair[0]] = pair.Length > 1 ? pair[1] : "";
}

var restartArgs = siloArgs.Concat(Split(Environment.GetEnvironmentVariable("HAZARDGRID_RESTART_SILO_ARGS"))).ToArray();
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
var siloSettings = string.Join(" ", siloEnvironment.Select(e => $"{e.Key}={e.Value}").Concat(siloArgs));
Console.WriteLine($"Phases after the load: {string.Join(",", phases)}; silo environment and settings: {(siloSettings.Length == 0 ? "(none)" : siloSettings)}");

// The limit: PostgreSQL's own durable single-row inserts at the same concurrency.
var pgbenchRate = await PostgresBaseline.SingleRowInsertsPerSecond(connectionString, concurrency, TimeSpan.FromSeconds(10));

var silo = Path.Combine(AppContext.BaseDirectory, "HazardGrid.Silo.dll");
ServiceProcess StartSilo(bool restart = false) => new(silo, Path.GetTempPath(), http: true, restart ? restartEnvironment : siloEnvironment,
    ["--HazardGrid:Mode=PostgreSql", $"--ConnectionStrings:HazardGrid={connectionString}",
    $"--HazardGrid:Circulars:KeepBrowserFor={ConsoleReads.KeepBrowserFor}", // so that ConsoleReads sees the printing browser both cold and kept
    .. restart ? restartArgs : siloArgs]);
using var service = StartSilo();
using var channel = LoadRunner.CreateChannel($"http://127.0.0.1:{service.GrpcPort}"); // the simulator's retries on UNAVAILABLE
var regionsApi = new RegionService.RegionServiceClient(channel.Intercept(h => { h.Add("authorization", $"Bearer {ServiceProcess.Token()}"); return h; }));
var anchor = DateTimeOffset.UtcNow;
var model = ProvinceModel.Generate(1, enterprises, hazards, anchor);
// The cold start's baseline: this first start on the empty database, to its first acknowledged write.
var emptyDefault = ColdStart.FirstWriteAsync(service, model.Enterprises[0], "empty-default", reconnect: null);
var emptyStart = await ColdStart.FirstWriteAsync(service, model.Enterprises[0], "empty", ColdStart.QuickReconnect);
Console.WriteLine($"Empty database: first write acknowledged {ColdStart.Seconds(emptyStart)} after process start (host running at {ColdStart.Seconds(ColdStart.RunningAt(service))}; "
    + $"a client with gRPC's default reconnect backoff: {ColdStart.Seconds(await emptyDefault)}).");
await WaitUntil(async () => { try { await regionsApi.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" }); return true; } catch (Grpc.Core.RpcException) { return false; } }, TimeSpan.FromSeconds(60));

var bar = new ProgressBar();
var runner = new LoadRunner(channel.CreateCallInvoker(), model, concurrency, anchor, SimulatedSystems.FromKey(ServiceProcess.Key), bar.Report);
long peak = 0;
using var sampler = new Timer(_ => Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), service.WorkingSet)), null, TimeSpan.Zero, TimeSpan.FromSeconds(1));

var clock = Stopwatch.StartNew();
await runner.LoadAsync();
var loaded = clock.Elapsed;
var peakAfterLoad = Math.Max(Interlocked.Read(ref peak), service.PeakWorkingSet); // the kernel's high-water mark, between the samples too

// Settled: the province counts what the simulator pushed (the cascade batches, so allow it a moment).
var expected = model.ExpectedProvince();
Expected actual = Expected.Of(new HazardFigures());
await WaitUntil(async () => (actual = Expected.Of((await regionsApi.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" })).Figures)) == expected, TimeSpan.FromMinutes(2));
var settled = clock.Elapsed - loaded;
var memoryLoaded = service.WorkingSet;

var supervisor = channel.Intercept(h => { h.Add("authorization", $"Bearer {ServiceProcess.Token("supervisor", "37", "bench-supervisor")}"); return h; });
List<string> queryRows = [];
if (phases.Contains("reads"))
{
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
}

// Issue 10's reads: the console in a browser and the province's circular (ConsoleReads.cs).
if (phases.Contains("console"))
{
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
}

var queriesDone = clock.Elapsed;

// Idle: enterprise and hazard grains deactivate after an idle minute (CollectionAgeLimit); the
// silo's idle trimmer then collects what they left and returns it (checked once a minute).
var idleClock = Stopwatch.StartNew();
using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{service.HttpPort}") };
var idle = false;
var idleAfter = TimeSpan.Zero;
var memoryIdle = service.WorkingSet;
var trimClock = Stopwatch.StartNew();
if (phases.Contains("idle"))
{
    idle = await WaitUntil(async () => await LiveActivations(http) == 0, idleLimit);
    idleAfter = idleClock.Elapsed;
    memoryIdle = service.WorkingSet;
    trimClock.Restart();
    while (trimClock.Elapsed < TimeSpan.FromSeconds(150) && memoryIdle > 0.7 * memoryLoaded)
    {
        await Task.Delay(TimeSpan.FromSeconds(5));
        memoryIdle = Math.Min(memoryIdle, service.WorkingSet);
    }
}

var trimmedAfter = trimClock.Elapsed;

// Issue 12's cold start (ColdStart.cs): the tree's figures now, then the silo stopped and started again.
if (phases.Contains("restart"))
{
    try
    {
        sampler.Dispose(); // it samples this process, which the phase stops
        var before = await ColdStart.SnapshotAsync(regionsApi);
        queryRows.AddRange(await ColdStart.RunAsync(service, () => StartSilo(restart: true), before, expected, model.Enterprises[0], emptyStart));
    }
    catch (Grpc.Core.RpcException ex)
    {
        Console.WriteLine($"The cold start failed: {ex.Status}");
        queryRows.Add($"| cold start with the province | failed: {ex.StatusCode} | | | | no |");
    }
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
if (phases.Contains("idle"))
{
    Console.WriteLine($"| silo memory after idle deactivation{(siloSettings.Length == 0 ? "" : $" ({siloSettings})")} | {memoryIdle / Gib:F2} GiB ({trimmedAfter.TotalSeconds:F0} s after the last deactivation) | {memoryLoaded / Gib:F2} GiB right after the load | {(double)memoryIdle / memoryLoaded:F2} | ≤ 4 GiB | {(idle && memoryIdle <= 4 * Gib ? "yes" : "no")} |");
}

Console.WriteLine($"| silo peak memory during the load{(siloSettings.Length == 0 ? "" : $" ({siloSettings})")} | {peakAfterLoad / Gib:F2} GiB | | | ≤ 2 GiB | {(peakAfterLoad <= 2 * Gib ? "yes" : "no")} |");
if (phases.Contains("idle"))
{
    Console.WriteLine($"| time until idle grains were deactivated | {(idle ? $"{idleAfter.TotalSeconds:F0} s after the reads ({(queriesDone - loaded - settled).TotalSeconds:F0} s of reads)" : $"not within {idleLimit.TotalMinutes:F0} min")} | | | | |");
}

foreach (var row in queryRows)
{
    Console.WriteLine(row);
}

return actual == expected ? 0 : 1;

static string[] Split(string? list) => (list ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

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
