// Horizontal scaling (issue 12): the simulator's province load (a small province by default,
// 50,000 enterprises and 10,000 hazards) pushed through gRPC into one PostgreSQL-mode silo, then
// into a cluster of three, each time on a fresh database, the client spreading its calls over the
// silos' own gateways. Prints, from the three-silo run: how evenly activations and grain calls
// spread over the silos (Orleans' own metrics at each silo's /metrics), the single hottest grain's
// share of all grain calls (the silo's per-grain call counter, switched on for this bench only:
// HazardGrid:Diagnostics:CountGrainCalls), and the CPU seconds of all silo processes per
// acknowledged hazard against the one-silo run's (the cores are shared, so CPU per report rather
// than throughput). Also what the paper estimate for all of China (bench/README.md) is built from:
// memory per activation, PostgreSQL commits and rows per report.
//
//   dotnet run -c Release --project bench/ScalingBench -- [enterprises] [hazards] [concurrency]
//   (needs HAZARDGRID_TEST_POSTGRES: eval "$(bash .ci/postgres-up)")
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Core.Interceptors;
using HazardGrid.Api.V1;
using HazardGrid.Bench;
using HazardGrid.Simulator;
using Npgsql;

var enterprises = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50_000;
var hazards = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
var concurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 32;
var admin = Environment.GetEnvironmentVariable("HAZARDGRID_TEST_POSTGRES")
    ?? throw new InvalidOperationException("Set HAZARDGRID_TEST_POSTGRES (eval \"$(bash .ci/postgres-up)\").");
Console.WriteLine($"Scaling bench: {enterprises:N0} enterprises, {hazards:N0} hazards, {concurrency} calls in flight, 1 silo then 3 silos on PostgreSQL, {Environment.ProcessorCount} cores");

var one = await ClusterRun.RunAsync(1, admin, enterprises, hazards, concurrency);
var three = await ClusterRun.RunAsync(3, admin, enterprises, hazards, concurrency);

Console.WriteLine();
foreach (var run in new[] { one, three })
{
    Console.WriteLine($"{run.Silos} silo(s): loaded in {run.Load.TotalSeconds:F1} s ({run.Calls:N0} gRPC calls, {run.Retries:N0} retries), hazard phase {run.HazardPhase.TotalSeconds:F1} s, province {(run.Settled ? "equal to the simulator's count" : "NOT equal to the simulator's count")}");
    for (var i = 0; i < run.Silos; i++)
    {
        Console.WriteLine($"  silo {i + 1}: {run.Activations[i],9:N0} activations  {run.GrainCalls[i],10:N0} grain calls  {run.CpuSeconds[i],7:F1} CPU s  {run.WorkingSet[i] / Mib,6:N0} MiB   {string.Join(", ", run.ActivationsByType[i].Where(t => t.Value > 0 && !t.Key.StartsWith("sys.", StringComparison.Ordinal)).OrderByDescending(t => t.Value).Select(t => $"{t.Key} {t.Value:N0}"))}");
    }

    Console.WriteLine($"  idle: {run.IdleCpuPerSecond:F2} CPU s/s for all silos; memory per activation {run.MemoryPerActivation / 1024:F1} KiB");
    Console.WriteLine($"  hottest grains: {string.Join(", ", run.Hottest.Take(5).Select(h => $"{h.Grain} {h.Calls:N0}"))} of {run.CountedCalls:N0} counted calls");
}

var cpuRatio = three.CpuPerReport / one.CpuPerReport;
var (hotGrain, hotCalls) = three.Hottest.FirstOrDefault();
var hotShare = three.CountedCalls == 0 ? double.NaN : (double)hotCalls / three.CountedCalls;
Console.WriteLine();
Console.WriteLine("| figure | value | baseline | ratio | goal | met |");
Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
Console.WriteLine(Spread("activations per silo, 3 silos, after the load", three.Activations));
Console.WriteLine(Spread("grain calls per silo, 3 silos, during the load", three.GrainCalls));
Console.WriteLine($"| hottest grain's share of all grain calls, 3 silos | {hotGrain}: {hotCalls:N0} calls | {three.CountedCalls:N0} grain calls in all | {hotShare:P2} | ≤ 1% | {(hotShare <= 0.01 ? "yes" : "no")} |");
Console.WriteLine($"| silo CPU per acknowledged hazard, 3 silos vs 1 | {three.CpuPerReport * 1000:F2} ms ({three.HazardCpu:F1} s / {hazards:N0}) | {one.CpuPerReport * 1000:F2} ms with 1 silo ({one.HazardCpu:F1} s / {hazards:N0}) | {cpuRatio:F2} | ≤ 1.10 | {(cpuRatio <= 1.10 ? "yes" : "no")} |");
Console.WriteLine($"| silo CPU per acknowledged hazard less the silos' idle CPU, 3 silos vs 1 | {three.CpuPerReportLessIdle * 1000:F2} ms (idle: {three.IdleCpuPerSecond:F2} CPU s/s) | {one.CpuPerReportLessIdle * 1000:F2} ms with 1 silo (idle: {one.IdleCpuPerSecond:F2} CPU s/s) | {three.CpuPerReportLessIdle / one.CpuPerReportLessIdle:F2} | | |");
Console.WriteLine($"| silo CPU per gRPC call, whole load, 3 silos vs 1 | {three.LoadCpu / three.Calls * 1000:F2} ms | {one.LoadCpu / one.Calls * 1000:F2} ms with 1 silo | {three.LoadCpu / three.Calls / (one.LoadCpu / one.Calls):F2} | | |");
Console.WriteLine($"| load time, 3 silos vs 1 (shared cores: not a throughput figure) | {three.Load.TotalSeconds:F0} s | {one.Load.TotalSeconds:F0} s with 1 silo | {three.Load / one.Load:F2} | | |");
Console.WriteLine($"| silo memory per activation after the load | {one.MemoryPerActivation / 1024:F1} KiB (1 silo) | {three.MemoryPerActivation / 1024:F1} KiB (3 silos) | | | |");
Console.WriteLine($"| PostgreSQL commits per acknowledged hazard (hazard phase) | {three.CommitsPerReport:F2} (3 silos) | {one.CommitsPerReport:F2} (1 silo) | {three.CommitsPerReport / one.CommitsPerReport:F2} | | |");
Console.WriteLine($"| PostgreSQL rows written per acknowledged hazard (hazard phase) | {three.RowsPerReport:F2} (3 silos) | {one.RowsPerReport:F2} (1 silo) | {three.RowsPerReport / one.RowsPerReport:F2} | | |");
Console.WriteLine($"| PostgreSQL WAL per acknowledged hazard (server-wide, others' writes included) | {three.WalPerReport / 1024:F1} KiB (3 silos) | {one.WalPerReport / 1024:F1} KiB (1 silo) | | | |");
Console.WriteLine($"| province totals equal the simulator's count | {(one.Settled && three.Settled ? "equal" : "DIFFERENT")} (1 and 3 silos) | | | equal | {(one.Settled && three.Settled ? "yes" : "no")} |");
return one.Settled && three.Settled ? 0 : 1;

static string Spread(string figure, IReadOnlyList<long> perSilo)
{
    var mean = perSilo.Average();
    var max = perSilo.Max() / mean;
    var min = perSilo.Min() / mean;
    var met = max <= 1.2 && min >= 0.8;
    return $"| {figure} | {string.Join(" / ", perSilo.Select(v => v.ToString("N0", CultureInfo.InvariantCulture)))} | mean {mean:N0} | max {max:F2}×, min {min:F2}× | within ±20% of the mean | {(met ? "yes" : "no")} |";
}

internal static partial class Program
{
    private const double Mib = 1024.0 * 1024;
}
