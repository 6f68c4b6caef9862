// Failover: three silos and two standalone gateways on PostgreSQL, a closed-loop load of hazard
// reports through both gateways, one silo killed with SIGKILL mid-load, failed calls retried
// under the same request id. Prints acknowledged writes, writes found afterwards, duplicates, and
// the seconds until writes succeeded again; the write rate after recovery is compared with the
// rate before the kill, measured in the same run.
//
//   bench/run-failover [reports]      (PostgreSQL from HAZARDGRID_TEST_POSTGRES, else .ci/postgres-up)
using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using HazardGrid.Api.V1;
using HazardGrid.Bench;
using HazardGrid.Regions;
using Npgsql;

var total = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 3000;
var admin = Environment.GetEnvironmentVariable("HAZARDGRID_TEST_POSTGRES")
    ?? throw new InvalidOperationException("Set HAZARDGRID_TEST_POSTGRES (bench/run-failover does it with .ci/postgres-up).");
var database = "hg_failover_" + Guid.NewGuid().ToString("N")[..8];
await using (var connection = new NpgsqlConnection(admin))
{
    await connection.OpenAsync();
    await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
    await create.ExecuteNonQueryAsync();
}

var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database, MaxPoolSize = 30 }.ToString();
string[] settings = ["--HazardGrid:Mode=PostgreSql", $"--ConnectionStrings:HazardGrid={connectionString}", "--HazardGrid:ClusterId=failover-bench"];
var silo = Path.Combine(AppContext.BaseDirectory, "HazardGrid.Silo.dll");
var gatewayAssembly = Path.Combine(AppContext.BaseDirectory, "HazardGrid.Gateway.dll");
var silos = Enumerable.Range(0, 3).Select(_ => new ServiceProcess(silo, Path.GetTempPath(), settings)).ToList();
var gateways = Enumerable.Range(0, 2).Select(_ => new ServiceProcess(gatewayAssembly, Path.GetTempPath(), settings)).ToList();
var invokers = gateways.Select(g => GrpcChannel.ForAddress($"http://127.0.0.1:{g.GrpcPort}").Intercept(h => { h.Add("authorization", $"Bearer {ServiceProcess.Token(subject: "failover-bench")}"); return h; })).ToArray();
Console.WriteLine($"Failover bench: 3 silos, 2 gateways, PostgreSQL database {database}, {total:N0} reports");

try
{
    var towns = RegionCatalog.Shandong.All.Where(r => r.Level == HazardGrid.Regions.RegionLevel.Town).Select(r => r.Code).Take(24).ToArray();
    var codes = towns.Select((t, i) => HazardGrid.Enterprises.UnifiedSocialCreditCode.Complete("91" + t[..6] + i.ToString("D8", System.Globalization.CultureInfo.InvariantCulture) + "F")).ToArray();
    for (var i = 0; i < codes.Length; i++)
    {
        var enterprise = new Enterprise { CreditCode = codes[i], DisplayName = $"企业{i}", Town = towns[i], Principal = new Person { Name = "负责人" }, ActualController = new Person { Name = "控制人" } };
        enterprise.Sectors.Add(Sector.Chemicals);
        await Retry(() => new EnterpriseService.EnterpriseServiceClient(invokers[i % 2]).RegisterEnterpriseAsync(new RegisterEnterpriseRequest { Enterprise = enterprise, RequestId = $"e{i}" }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync, TimeSpan.FromSeconds(90));
    }

    var acked = new ConcurrentDictionary<int, string>();
    var failedAttempts = 0;
    var clock = Stopwatch.StartNew();
    TimeSpan killedAt = TimeSpan.MaxValue, firstFailure = TimeSpan.MaxValue, recovered = TimeSpan.MaxValue;
    var next = -1;
    async Task Writer()
    {
        for (var n = Interlocked.Increment(ref next); n < total; n = Interlocked.Increment(ref next))
        {
            var request = new ReportHazardRequest
            {
                Parent = $"enterprises/{codes[n % codes.Length]}",
                Hazard = new NewHazard { Channel = ReportChannel.Inspection, Sector = Sector.Chemicals, Criterion = $"FB-{n}", Location = $"L-{n}", Description = "failover", FoundTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-1)) },
                RequestId = $"fb-{n}",
            };
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    var reply = await new HazardService.HazardServiceClient(invokers[(n + attempt) % 2]).ReportHazardAsync(request, deadline: DateTime.UtcNow.AddSeconds(10));
                    acked[n] = reply.Hazard.Name;
                    if (firstFailure != TimeSpan.MaxValue && recovered == TimeSpan.MaxValue)
                    {
                        recovered = clock.Elapsed;
                    }

                    break;
                }
                catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown && attempt < 50)
                {
                    Interlocked.Increment(ref failedAttempts);
                    if (clock.Elapsed > killedAt && firstFailure == TimeSpan.MaxValue)
                    {
                        firstFailure = clock.Elapsed;
                    }

                    await Task.Delay(100);
                }
            }
        }
    }

    var writers = Enumerable.Range(0, 16).Select(_ => Task.Run(Writer)).ToArray();
    while (acked.Count < total * 3 / 10)
    {
        await Task.Delay(10);
    }

    var ackedBeforeKill = acked.Count;
    var beforeKill = clock.Elapsed;
    killedAt = clock.Elapsed;
    silos[1].Kill();
    await Task.WhenAll(writers);
    var end = clock.Elapsed;

    // What is stored: walk each enterprise's records 1..n.
    var hazards = new HazardService.HazardServiceClient(invokers[0]);
    var criteria = new List<string>();
    foreach (var code in codes)
    {
        for (var number = 1; ; number++)
        {
            try
            {
                var h = await Retry(() => hazards.GetHazardAsync(new GetHazardRequest { Name = $"enterprises/{code}/hazards/{number}" }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync, TimeSpan.FromSeconds(30));
                criteria.Add(h.Criterion);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                break;
            }
        }
    }

    var recoverySeconds = recovered == TimeSpan.MaxValue ? 0 : (recovered - killedAt).TotalSeconds;
    var rateBefore = ackedBeforeKill / beforeKill.TotalSeconds;
    var after = (acked.Count - ackedBeforeKill) / (end - killedAt).TotalSeconds;
    Console.WriteLine();
    Console.WriteLine("| figure | value | baseline | ratio |");
    Console.WriteLine("| --- | --- | --- | --- |");
    Console.WriteLine($"| acknowledged writes | {acked.Count:N0} | {total:N0} sent | {(double)acked.Count / total:F2} |");
    Console.WriteLine($"| writes found afterwards | {criteria.Count:N0} | {acked.Count:N0} acknowledged | {(double)criteria.Count / acked.Count:F2} |");
    Console.WriteLine($"| duplicates | {criteria.Count - criteria.Distinct().Count():N0} | 0 | |");
    Console.WriteLine($"| seconds until writes succeeded again | {recoverySeconds:F1} s | | |");
    Console.WriteLine($"| failed attempts (retried under the same id) | {failedAttempts:N0} | | |");
    Console.WriteLine($"| writes/s after the kill (3 → 2 silos) | {after:N0}/s | {rateBefore:N0}/s before the kill | {after / rateBefore:F2} |");
}
finally
{
    silos.ForEach(s => s.Dispose());
    gateways.ForEach(g => g.Dispose());
}

static async Task<T> Retry<T>(Func<Task<T>> call, TimeSpan within)
{
    var clock = Stopwatch.StartNew();
    while (true)
    {
        try
        {
            return await call();
        }
        catch (RpcException ex) when (ex.StatusCode is not StatusCode.NotFound && clock.Elapsed < within)
        {
            await Task.Delay(200);
        }
    }
}
