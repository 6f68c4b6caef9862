// Escalation benchmark: N open hazards whose rectification deadlines fall in the same minute;
// the domain clock is moved past that minute and the run measures how long the ladder takes to
// fire every warning letter (each one: town → enterprise → hazard write, with its notices →
// town ledger write), and the process's peak memory.
//
// Baseline, measured in the same run on the same silo: the time to apply N ordinary lifecycle
// writes (RecordProgress) through the same enterprise → hazard → town path. The ratio says how
// much the ladder's scheduling adds on top of the writes it has to make anyway.
using System.Diagnostics;
using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Hazards;
using HazardGrid.Regions;
using HazardGrid.Rollups;
using HazardGrid.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

var hazardCount = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
var store = args.Length > 1 ? args[1] : "memory";   // "memory" or "sqlite" (the embedded mode's store)
var dataDirectory = Path.Combine(Path.GetTempPath(), "hazardgrid-bench-" + Guid.NewGuid().ToString("N"));
const int HazardsPerEnterprise = 10;
const int Concurrency = 256;

var time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 10, 9, 0, 0, ChinaTime.Offset));
var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering(21111, 31000);
    if (store == "sqlite")
    {
        silo.AddHazardGridSqliteStorage(dataDirectory);
    }
    else
    {
        silo.AddMemoryGrainStorage(StorageNames.Store, storage => storage.Configure<Orleans.Serialization.Serializer>(
            (o, serializer) => o.GrainStorageSerializer = new Orleans.Storage.OrleansGrainStorageSerializer(serializer)));
    }

    silo.Services.AddSingleton(new DomainClock(time));
    silo.AddHazardGrid();
});
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IGrainFactory>();
var towns = RegionCatalog.Shandong.All.Where(r => r.Level == RegionLevel.Town).Select(r => r.Code).ToArray();
var enterprises = hazardCount / HazardsPerEnterprise;
var deadline = time.GetUtcNow().AddDays(1);
Console.WriteLine($"Escalation bench: {hazardCount:N0} hazards at {enterprises:N0} enterprises in {towns.Length:N0} towns, {store} grain storage, {Environment.ProcessorCount} cores");

// Load: enterprises, hazards, and rectification with deadlines all within one minute.
var load = Stopwatch.StartNew();
await ForEach(Enumerable.Range(0, enterprises), async e =>
{
    var (town, code) = EnterpriseAt(e);
    var enterprise = grains.GetGrain<IEnterpriseGrain>(code);
    await enterprise.Register(new EnterpriseProfile(code, $"企业{e}", town, [Sector.Chemicals], new Person("负责人", null), new Person("控制人", null), null), new WriteRequest($"r{e}", "bench"));
    for (var h = 1; h <= HazardsPerEnterprise; h++)
    {
        await enterprise.ReportHazard(new HazardReport(code, ReportChannel.Inspection, Sector.Chemicals, $"C{h}", $"L{h}", "bench", time.GetUtcNow().AddDays(-1)), new WriteRequest($"h{e}/{h}", "bench"));
        await enterprise.UpdateHazard(h, new StartRectification(deadline.AddSeconds(h), "plan"), new WriteRequest($"s{e}/{h}", "bench"));
    }
});
load.Stop();
var province = grains.GetGrain<IRollupGrain>(RegionCatalog.Shandong.Root.Code);
await WaitUntil(async () => (await province.GetStatus()).Figures.Rectifying == hazardCount, TimeSpan.FromMinutes(5));
Console.WriteLine($"  loaded in {load.Elapsed.TotalSeconds:F1} s ({2 * hazardCount / load.Elapsed.TotalSeconds:N0} writes/s)");

// Baseline: the same number of ordinary writes through the same path.
var baseline = Stopwatch.StartNew();
await ForEach(Enumerable.Range(0, enterprises), async e =>
{
    var enterprise = grains.GetGrain<IEnterpriseGrain>(EnterpriseAt(e).Code);
    for (var h = 1; h <= HazardsPerEnterprise; h++)
    {
        await enterprise.UpdateHazard(h, new RecordProgress(10, "bench"), new WriteRequest($"p{e}/{h}", "bench"));
    }
});
baseline.Stop();

// The deadlines pass: every hazard owes its warning letter.
time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(2));
var escalation = Stopwatch.StartNew();
await WaitUntil(async () => (await province.GetStatus()).Figures.Escalations.WarningLettersThisMonth >= hazardCount, TimeSpan.FromMinutes(10));
escalation.Stop();

var fired = (await province.GetStatus()).Figures.Escalations.WarningLettersThisMonth;
var peak = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024 * 1024);
var ratio = escalation.Elapsed / baseline.Elapsed;
Console.WriteLine();
Console.WriteLine("| figure | value | baseline | ratio | goal | met |");
Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
Console.WriteLine($"| time until all {hazardCount:N0} letters fired | {escalation.Elapsed.TotalSeconds:F1} s | {baseline.Elapsed.TotalSeconds:F1} s for {hazardCount:N0} ordinary writes | {ratio:F2} | ≤ 60 s | {(escalation.Elapsed.TotalSeconds <= 60 ? "yes" : "no")} |");
Console.WriteLine($"| letters fired (exactly once each) | {fired:N0} | {hazardCount:N0} | {(double)fired / hazardCount:F2} | = {hazardCount:N0} | {(fired == hazardCount ? "yes" : "no")} |");
Console.WriteLine($"| process peak memory | {peak:F2} GiB | | | | |");
await host.StopAsync();
if (Directory.Exists(dataDirectory))
{
    Directory.Delete(dataDirectory, recursive: true);
}

return fired == hazardCount ? 0 : 1;

// Enterprise e: its town (round robin over all towns) and a valid credit code in that county.
(string Town, string Code) EnterpriseAt(int e)
{
    var town = towns[e % towns.Length];
    return (town, UnifiedSocialCreditCode.Complete("91" + town[..6] + e.ToString("D8", System.Globalization.CultureInfo.InvariantCulture) + "X"));
}

static async Task ForEach(IEnumerable<int> items, Func<int, Task> body) =>
    await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, _) => await body(i));

static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan within)
{
    var deadline = Stopwatch.StartNew();
    while (!await condition())
    {
        if (deadline.Elapsed > within)
        {
            throw new TimeoutException($"not reached within {within}");
        }

        await Task.Delay(100);
    }
}
