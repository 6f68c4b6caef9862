using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using HazardGrid.Api.V1;
using HazardGrid.Regions;

namespace HazardGrid.Bench;

/// <summary>
/// Issue 12: HazardGrid against the conventional design of the same API (bench/ConventionalService:
/// one ASP.NET Core gRPC service, one PostgreSQL transaction per report with the counter rows of
/// town, county, city and province). Both run as processes on their own fresh database on the same
/// PostgreSQL server, one after the other (never at the same time), in rounds ordered A B, B A, …
/// so that drift of the shared machine falls on both alike, and both are driven by this same client
/// code at the same concurrency: single registrations, single durable reports, then status reads
/// under write load (half the callers read, half write). Each side's figure pools all its rounds
/// (calls over time, percentiles over every call). At the end of each round the province's
/// figure must equal the reports the side acknowledged as new.
/// </summary>
internal static class ConventionalBaseline
{
    private const int Concurrency = 32;

    public static async Task<int> RunAsync(string silo, TimeSpan phase, int rounds)
    {
        var admin = Environment.GetEnvironmentVariable("HAZARDGRID_TEST_POSTGRES")
            ?? throw new InvalidOperationException("Set HAZARDGRID_TEST_POSTGRES (eval \"$(.ci/postgres-up)\").");
        var conventional = typeof(ConventionalBaseline).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ConventionalService").Value!;
        Console.WriteLine($"HazardGrid (PostgreSQL mode) against the conventional design (bench/ConventionalService), the same PostgreSQL, {Concurrency} calls in flight, {rounds} rounds of 3 phases of {phase.TotalSeconds:F0} s per side, alternated A B, B A …, {Environment.ProcessorCount} cores");
        // Stopped from outside (Ctrl+C, a timeout's SIGTERM): the service of the round must not outlive
        // the bench, nor its database stay behind.
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Side.Abandon(admin));
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Side.Abandon(admin));
        var hazardGrid = new Side("HazardGrid", (database, data) => new ServiceProcess(silo, data, "--HazardGrid:Mode=PostgreSql", $"--ConnectionStrings:HazardGrid={database}"));
        var baseline = new Side("conventional", (database, _) => new ServiceProcess(conventional, port =>
            [$"--Port={port}", $"--ConnectionStrings:Conventional={database}", "--Logging:LogLevel:Default=Warning"]));
        for (var round = 0; round < rounds; round++)
        {
            foreach (var side in round % 2 == 0 ? new[] { hazardGrid, baseline } : [baseline, hazardGrid])
            {
                await side.RunRoundAsync(admin, phase, round);
            }
        }

        var rows = new List<Row>
        {
            Compare("enterprise registrations/s (single RegisterEnterprise calls)", hazardGrid.Registrations, baseline.Registrations, withLatency: false),
            Compare("durable hazard reports acknowledged/s (single ReportHazard calls), p50 / p99", hazardGrid.Reports, baseline.Reports, withLatency: true),
            Compare($"status reads/s under write load ({Concurrency / 2} readers GetRegionStatus + {Concurrency / 2} writers ReportHazard), p50 / p99", hazardGrid.Reads, baseline.Reads, withLatency: true),
            new("writes/s during the read phase", $"{hazardGrid.Writes.PerSecond:N0}/s", $"{baseline.Writes.PerSecond:N0}/s conventional", $"{hazardGrid.Writes.PerSecond / baseline.Writes.PerSecond:F2}", "", null),
            new("service CPU per acknowledged report (report phase; PostgreSQL's own CPU not included)", $"{hazardGrid.CpuPerReportMs:F2} ms", $"{baseline.CpuPerReportMs:F2} ms conventional", $"{hazardGrid.CpuPerReportMs / baseline.CpuPerReportMs:F2}", "", null),
            new("calls answered UNAVAILABLE and sent again (same request id), all phases", $"{hazardGrid.RetriedCalls:N0}", $"{baseline.RetriedCalls:N0} conventional", "", "", null),
            new("province figure = reports acknowledged as new, every round; a retried report and a repeated finding name the first hazard", hazardGrid.Correctness, baseline.Correctness, "", "equal", hazardGrid.Correct && baseline.Correct),
        };
        Console.WriteLine();
        Console.WriteLine("| figure | value | baseline | ratio | goal | met |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var row in rows)
        {
            Console.WriteLine($"| {row.Figure} | {row.Value} | {row.Baseline} | {row.Ratio} | {row.Goal} | {(row.Met is null ? "" : row.Met.Value ? "yes" : "no")} |");
        }

        return 0;
    }

    private static Row Compare(string figure, Pooled ours, Pooled theirs, bool withLatency)
    {
        string Describe(Pooled p) => withLatency ? $"{p.PerSecond:N0}/s ({p.P(50):F1} / {p.P(99):F1} ms)" : $"{p.PerSecond:N0}/s";
        var ratio = ours.PerSecond / theirs.PerSecond;
        return new(figure, Describe(ours), Describe(theirs) + " conventional", $"{ratio:F2}", "≥ 1.0×", ratio >= 1.0);
    }

    /// <summary>Calls of all rounds pooled: their number over their total time, percentiles over every call.</summary>
    private sealed class Pooled
    {
        private readonly List<double> _latencies = [];
        private long _count;
        private TimeSpan _elapsed;

        public double PerSecond => _count / _elapsed.TotalSeconds;

        public void Add(Load load)
        {
            _count += load.Count;
            _elapsed += load.Elapsed;
            _latencies.AddRange(load.LatenciesMs);
            _latencies.Sort();
        }

        public double P(int percentile) => Load.Percentile(_latencies, percentile);
    }

    /// <summary>One of the two services: started afresh for each round on a fresh database.</summary>
    private sealed class Side(string name, Func<string, string, ServiceProcess> start)
    {
        private TimeSpan _reportCpu;
        private long _reportCount;
        private readonly List<string> _checks = [];

        public Pooled Registrations { get; } = new();

        public Pooled Reports { get; } = new();

        public Pooled Reads { get; } = new();

        public Pooled Writes { get; } = new();

        public double CpuPerReportMs => _reportCpu.TotalMilliseconds / _reportCount;

        public bool Correct { get; private set; } = true;

        public int RetriedCalls { get; private set; }

        public string Correctness => $"{name}: {string.Join("; ", _checks)}";

        private static (ServiceProcess? Service, string? Database) s_current;

        /// <summary>Stops the running round's service and drops its database.</summary>
        public static void Abandon(string admin)
        {
            var (service, database) = s_current;
            service?.Dispose();
            if (database is not null)
            {
                Admin(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)").GetAwaiter().GetResult();
            }
        }

        public async Task RunRoundAsync(string admin, TimeSpan phase, int round)
        {
            var database = (name == "HazardGrid" ? "hg_bench_" : "hg_conv_") + Guid.NewGuid().ToString("N")[..8];
            await Admin(admin, $"CREATE DATABASE {database}");
            s_current = (null, database);
            var data = Path.Combine(Path.GetTempPath(), "hazardgrid-bench-" + Guid.NewGuid().ToString("N"));
            try
            {
                using var service = start(new Npgsql.NpgsqlConnectionStringBuilder(admin) { Database = database }.ToString(), data);
                s_current = (service, database);
                using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{service.GrpcPort}");
                var client = new Client(channel.Intercept(h => { h.Add("authorization", $"Bearer {ServiceProcess.Token()}"); return h; }));
                var started = Stopwatch.StartNew();
                while (true)
                {
                    try
                    {
                        await client.Register(0);
                        break;
                    }
                    catch (RpcException) when (started.Elapsed < TimeSpan.FromSeconds(120))
                    {
                        await Task.Delay(50);
                    }
                }

                var startup = started.Elapsed;
                client.Retries = 0; // the refused connections while the service started do not count
                Console.WriteLine($"  round {round + 1}: {name} answered {startup.TotalSeconds:F1} s after its start");

                // Warm up (JIT, connections, both write paths) for a second each before anything counts.
                var warm = (await Load.Run(TimeSpan.FromSeconds(1), Concurrency, client.Register)).Count;
                client.Registered = 1 + warm;
                await Load.Run(TimeSpan.FromSeconds(1), Concurrency, n => client.Report(2_000_000 + n));

                var registrations = await Load.Run(phase, Concurrency, n => client.Register(warm + n));
                client.Registered = 1 + warm + registrations.Count;
                Registrations.Add(registrations);

                var cpu = service.CpuTime;
                var reports = await Load.Run(phase, Concurrency, client.Report);
                var reportCpu = service.CpuTime - cpu;
                _reportCpu += reportCpu;
                _reportCount += reports.Count;
                Reports.Add(reports);

                var regions = RegionCatalog.Shandong.All.Select(r => "regions/" + r.Code).ToArray();
                var reads = Load.Run(phase, Concurrency / 2, async n => await client.Regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = regions[n % regions.Length] }));
                var writes = Load.Run(phase, Concurrency / 2, n => client.Report(1_000_000 + n));
                var (read, written) = (await reads, await writes);
                Reads.Add(read);
                Writes.Add(written);

                var agree = await client.RetryAndRepeatAgree();

                // Every report acknowledged as new is in the province's figure (HazardGrid's rollup
                // is asynchronous: it may take a moment).
                var acknowledged = client.Created;
                var wait = Stopwatch.StartNew();
                var province = 0;
                while (wait.Elapsed < TimeSpan.FromSeconds(30)
                    && (province = (await client.Regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" })).Figures.Registered) != acknowledged)
                {
                    await Task.Delay(20);
                }

                RetriedCalls += client.Retries;
                var equal = province == acknowledged;
                Correct &= equal && agree;
                _checks.Add($"round {round + 1} {(equal ? "equal" : "NOT equal")}, {province:N0} of {acknowledged:N0} after {wait.Elapsed.TotalSeconds:F1} s{(agree ? "" : ", a retry or a repeated finding answered wrongly")}");
                Console.WriteLine($"  round {round + 1}: {name,-12} registrations {registrations.PerSecond,6:N0}/s | reports {reports.PerSecond,6:N0}/s (p50 {reports.P(50):F1}, p99 {reports.P(99):F1} ms, service CPU {reportCpu.TotalMilliseconds / reports.Count:F2} ms a report) | reads under writes {read.PerSecond,6:N0}/s (p50 {read.P(50):F1}, p99 {read.P(99):F1} ms), writes {written.PerSecond:N0}/s | province {province:N0} of {acknowledged:N0} acknowledged | {client.Retries} calls retried after UNAVAILABLE");
            }
            finally
            {
                s_current = (null, null);
                await Admin(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
                if (Directory.Exists(data))
                {
                    Directory.Delete(data, recursive: true);
                }
            }
        }

        private static async Task Admin(string admin, string sql)
        {
            await using var connection = new Npgsql.NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>The same calls for both services: enterprises spread over every town, a distinct finding per report.</summary>
    private sealed class Client(CallInvoker invoker)
    {
        private static readonly string[] s_towns = [.. RegionCatalog.Shandong.All.Where(r => r.Level == HazardGrid.Regions.RegionLevel.Town).Select(r => r.Code).Order(StringComparer.Ordinal)];
        private readonly EnterpriseService.EnterpriseServiceClient _enterprises = new(invoker);
        private readonly HazardService.HazardServiceClient _hazards = new(invoker);
        private int _created;
        private int _retries;

        public RegionService.RegionServiceClient Regions { get; } = new(invoker);

        /// <summary>How many enterprises (0 … Registered − 1) the reports may name.</summary>
        public int Registered { get; set; } = 1;

        public int Created => Volatile.Read(ref _created);

        public async Task Register(int i)
        {
            var town = s_towns[i % s_towns.Length];
            var e = new Enterprise { CreditCode = Code(i), DisplayName = $"基准企业{i}", Town = town, Principal = new Person { Name = "负责人" }, ActualController = new Person { Name = "控制人" } };
            e.Sectors.Add(Sector.Chemicals);
            var request = new RegisterEnterpriseRequest { Enterprise = e, RequestId = $"bench-e{i}" };
            await Retried(async () => await _enterprises.RegisterEnterpriseAsync(request));
        }

        public async Task Report(int n)
        {
            var request = new ReportHazardRequest
            {
                Parent = $"enterprises/{Code(n % Registered)}",
                Hazard = new NewHazard
                {
                    Channel = ReportChannel.Inspection, Sector = Sector.Chemicals, Criterion = $"B-{n}", Location = $"L-{n}",
                    Description = "基准测试隐患", FoundTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-1)),
                },
                RequestId = $"bench-h{n}",
            };
            var response = await Retried(async () => await _hazards.ReportHazardAsync(request));
            if (response.Created)
            {
                Interlocked.Increment(ref _created);
            }
        }

        /// <summary>Calls answered UNAVAILABLE (e.g. a timeout inside a busy service) that were sent again.</summary>
        public int Retries
        {
            get => Volatile.Read(ref _retries);
            set => Volatile.Write(ref _retries, value);
        }

        // UNAVAILABLE is retried with the same request id, as the API asks a client to do; the call's
        // latency includes its retries.
        private async Task<T> Retried<T>(Func<Task<T>> call)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await call();
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && attempt < 5)
                {
                    Interlocked.Increment(ref _retries);
                }
            }
        }

        /// <summary>A report sent twice under one request id answers its first result; the same finding
        /// under a new request id lands on the open record. Both answers must name the first hazard.</summary>
        public async Task<bool> RetryAndRepeatAgree()
        {
            ReportHazardRequest Request(string requestId) => new()
            {
                Parent = $"enterprises/{Code(0)}",
                Hazard = new NewHazard
                {
                    Channel = ReportChannel.Inspection, Sector = Sector.Chemicals, Criterion = "Repeat", Location = "  the same   place ",
                    Description = "重复上报", FoundTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)),
                },
                RequestId = requestId,
            };
            var first = await _hazards.ReportHazardAsync(Request("bench-repeat-1"));
            if (first.Created)
            {
                Interlocked.Increment(ref _created);
            }

            var retry = await _hazards.ReportHazardAsync(Request("bench-repeat-1"));
            var repeat = Request("bench-repeat-2");
            repeat.Hazard.Location = "THE SAME PLACE";
            repeat.Hazard.Channel = ReportChannel.SelfReport;
            var again = await _hazards.ReportHazardAsync(repeat);
            return first.Created && retry.Created && retry.Hazard.Name == first.Hazard.Name && !again.Created && again.Hazard.Name == first.Hazard.Name;
        }

        private static string Code(int i) =>
            HazardGrid.Enterprises.UnifiedSocialCreditCode.Complete("91" + s_towns[i % s_towns.Length][..6] + i.ToString("D8", CultureInfo.InvariantCulture) + "X");
    }
}
