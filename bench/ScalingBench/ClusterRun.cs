using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using HazardGrid.Api.V1;
using HazardGrid.Simulator;
using Npgsql;

namespace HazardGrid.Bench;

/// <summary>What one cluster size did with the province load: per silo (in start order) and in all.</summary>
public sealed record ClusterRun(
    int Silos,
    TimeSpan Load,
    TimeSpan HazardPhase,
    long Calls,
    long Retries,
    bool Settled,
    IReadOnlyList<long> Activations,
    IReadOnlyList<IReadOnlyDictionary<string, long>> ActivationsByType,
    IReadOnlyList<long> GrainCalls,
    IReadOnlyList<double> CpuSeconds,
    IReadOnlyList<long> WorkingSet,
    IReadOnlyList<(string Grain, long Calls)> Hottest,
    long CountedCalls,
    double LoadCpu,
    double HazardCpu,
    int Hazards,
    double MemoryPerActivation,
    double CommitsPerReport,
    double RowsPerReport,
    double WalPerReport,
    double IdleCpuPerSecond)
{
    public double CpuPerReport => HazardCpu / Hazards;

    /// <summary>CPU per report less what the silos burn idle over the same phase.</summary>
    public double CpuPerReportLessIdle => (HazardCpu - IdleCpuPerSecond * HazardPhase.TotalSeconds) / Hazards;

    /// <summary>Starts <paramref name="silos"/> silos on a fresh database, pushes the province through
    /// them (each call to the next silo's gateway in turn), measures, and removes silos and database.</summary>
    public static async Task<ClusterRun> RunAsync(int silos, string admin, int enterprises, int hazards, int concurrency)
    {
        var database = $"hg_scaling{silos}_" + Guid.NewGuid().ToString("N")[..8];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
            await create.ExecuteNonQueryAsync();
        }

        // The same pool per silo in both runs, as FailoverBench's three silos have; a long wait for a
        // connection, as a silo starved of CPU on the shared cores holds its connections long at start.
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database, MaxPoolSize = 30, Timeout = 60 }.ToString();
        Console.WriteLine();
        Console.WriteLine($"== {silos} silo(s), database {database} ==");
        string[] settings =
        [
            "--HazardGrid:Mode=PostgreSql", $"--ConnectionStrings:HazardGrid={connectionString}", $"--HazardGrid:ClusterId=scaling-bench-{silos}",
            $"--{HazardGrid.Silo.Hosting.GrainCallCounting.Setting}=true",
        ];
        var assembly = Path.Combine(AppContext.BaseDirectory, "HazardGrid.Silo.dll");
        var processes = new List<ServiceProcess>();
        var channels = new List<GrpcChannel>();
        try
        {
            // One at a time: the first applies the schema, the others join its cluster.
            for (var i = 0; i < silos; i++)
            {
                processes.Add(new ServiceProcess(assembly, Path.GetTempPath(), http: true, settings));
                channels.Add(LoadRunner.CreateChannel($"http://127.0.0.1:{processes[i].GrpcPort}"));
                await WaitForStatus(channels[i]);
            }

            var scrapers = processes.Select(p => new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{p.HttpPort}") }).ToList();
            if (!await WaitUntil(async () => (await Task.WhenAll(scrapers.Select(Metrics.ScrapeAsync))).All(m => m.RingSize == silos), TimeSpan.FromSeconds(90)))
            {
                Console.WriteLine($"  (not every silo saw a ring of {silos} within 90 s: going on)");
            }

            // What the silos burn with nothing to do (membership probes, timers, the GC, the
            // thread pool's spinning on starved cores): measured before the load, so that the CPU per
            // report can also be read without it.
            var idleStart = Snapshot.Take(processes, admin, database);
            var idleClock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(10));
            var idleCpuPerSecond = (Snapshot.Take(processes, admin, database).Cpu.Sum() - idleStart.Cpu.Sum()) / idleClock.Elapsed.TotalSeconds;

            var invoker = new RoundRobinInvoker(channels.Select(c => c.CreateCallInvoker()).ToArray());
            var before = await Task.WhenAll(scrapers.Select(Metrics.ScrapeAsync));
            var memoryBefore = processes.Select(p => p.WorkingSet).ToArray();
            var loadStart = Snapshot.Take(processes, admin, database);

            var anchor = DateTimeOffset.UtcNow;
            var model = ProvinceModel.Generate(1, enterprises, hazards, anchor);
            var bar = new ProgressBar();
            Snapshot? hazardsStart = null, hazardsEnd = null;
            var phaseClock = new Stopwatch();
            var gate = new object();
            var runner = new LoadRunner(invoker, model, concurrency, anchor, SimulatedSystems.FromKey(ServiceProcess.Key), (phase, done, total) =>
            {
                // The hazard phase is measured alone: the first tick of "hazards" opens it, the first
                // tick of the next phase (or the end of the load) closes it.
                lock (gate)
                {
                    if (phase == "hazards" && hazardsStart is null)
                    {
                        hazardsStart = Snapshot.Take(processes, admin, database);
                        phaseClock.Start();
                    }
                    else if (phase != "hazards" && phase != "enterprises" && hazardsStart is not null && hazardsEnd is null)
                    {
                        hazardsEnd = Snapshot.Take(processes, admin, database);
                        phaseClock.Stop();
                    }
                }

                bar.Report(phase, done, total);
            });
            var clock = Stopwatch.StartNew();
            await runner.LoadAsync();
            var load = clock.Elapsed;
            lock (gate)
            {
                if (hazardsEnd is null)
                {
                    hazardsEnd = Snapshot.Take(processes, admin, database);
                    phaseClock.Stop();
                }
            }

            var loadEnd = Snapshot.Take(processes, admin, database);
            var after = await Task.WhenAll(scrapers.Select(Metrics.ScrapeAsync));
            var memoryAfter = processes.Select(p => p.WorkingSet).ToArray();

            // Settled: the province counts what the simulator pushed (the cascade batches, so allow it a moment).
            var expected = model.ExpectedProvince();
            var regions = new RegionService.RegionServiceClient(channels[0].Intercept(h => { h.Add("authorization", $"Bearer {ServiceProcess.Token()}"); return h; }));
            var settled = await WaitUntil(async () => Expected.Of((await regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" })).Figures) == expected, TimeSpan.FromMinutes(2));

            var hottest = after.SelectMany(m => m.Hottest).GroupBy(h => h.Grain).Select(g => (Grain: g.Key, Calls: g.Sum(h => h.Calls))).OrderByDescending(h => h.Calls).ToList();
            var activations = after.Select(m => m.Activations).ToArray();
            var start = hazardsStart ?? loadStart;
            var end = hazardsEnd ?? loadEnd;
            return new ClusterRun(
                silos,
                load,
                phaseClock.Elapsed,
                runner.Stats.Calls,
                runner.Stats.Retries,
                settled,
                activations,
                after.Select(m => m.ActivationsByType).ToArray(),
                after.Zip(before, (a, b) => a.GrainCalls - b.GrainCalls).ToArray(),
                loadEnd.Cpu.Zip(loadStart.Cpu, (a, b) => a - b).ToArray(),
                memoryAfter,
                hottest,
                after.Sum(m => m.CountedCalls) - before.Sum(m => m.CountedCalls),
                loadEnd.Cpu.Sum() - loadStart.Cpu.Sum(),
                end.Cpu.Sum() - start.Cpu.Sum(),
                hazards,
                (double)(memoryAfter.Sum() - memoryBefore.Sum()) / Math.Max(1, activations.Sum()),
                (double)(end.Commits - start.Commits) / hazards,
                (double)(end.Rows - start.Rows) / hazards,
                (double)(end.WalBytes - start.WalBytes) / hazards,
                idleCpuPerSecond);
        }
        finally
        {
            channels.ForEach(c => c.Dispose());
            processes.ForEach(p => p.Dispose());
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static async Task WaitForStatus(GrpcChannel channel)
    {
        var regions = new RegionService.RegionServiceClient(channel.Intercept(h => { h.Add("authorization", $"Bearer {ServiceProcess.Token()}"); return h; }));
        if (!await WaitUntil(async () => { try { await regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" }); return true; } catch (RpcException) { return false; } }, TimeSpan.FromSeconds(180)))
        {
            throw new TimeoutException("a silo did not answer within 180 s");
        }
    }

    private static async Task<bool> WaitUntil(Func<Task<bool>> condition, TimeSpan limit)
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
}

/// <summary>CPU of each silo process and the database's write counters at one instant.</summary>
public sealed record Snapshot(double[] Cpu, long Commits, long Rows, long WalBytes)
{
    /// <summary>Linux reports a process's times in clock ticks of 1/100 s (USER_HZ) on every architecture .NET runs on.</summary>
    private const double TicksPerSecond = 100;

    public static Snapshot Take(IReadOnlyList<ServiceProcess> processes, string admin, string database)
    {
        var cpu = processes.Select(p => ProcessCpuSeconds(p.Id)).ToArray();
        using var connection = new NpgsqlConnection(admin);
        connection.Open();
        // Counters of the bench's own database; the WAL position is the server's (shared with others).
        using var command = new NpgsqlCommand(
            "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted, (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint FROM pg_stat_database WHERE datname = @db", connection);
        command.Parameters.AddWithValue("db", database);
        using var reader = command.ExecuteReader();
        reader.Read();
        return new Snapshot(cpu, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>utime + stime of the process (fields 14 and 15 of /proc/&lt;pid&gt;/stat): all its threads, user and kernel.</summary>
    private static double ProcessCpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // fields from the third (state) on
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}

/// <summary>What one silo's Prometheus page says.</summary>
public sealed partial record Metrics(long Activations, long GrainCalls, long CountedCalls, long RingSize, IReadOnlyList<(string Grain, long Calls)> Hottest, IReadOnlyDictionary<string, long> ActivationsByType)
{
    public static async Task<Metrics> ScrapeAsync(HttpClient http)
    {
        var lines = (await http.GetStringAsync("/metrics")).Split('\n').Where(l => l.Length > 0 && l[0] != '#').ToList();
        // A series by its exact name (a counter's with the exporter's "_total"), any labels.
        long Sum(string name, Func<string, bool>? where = null) => lines
            .Where(l => (IsSeries(l, name) || IsSeries(l, name + "_total")) && (where is null || where(l)))
            .Sum(Value);

        return new Metrics(
            // Live activations, by grain type: summed over the types.
            Sum("orleans_catalog_activations"),
            // Requests (and one-way calls) the silo's activations took up: Orleans counts each where
            // the target activation runs, whether the caller is local or remote.
            Sum("orleans_messaging_processing_dispatcher_processed", l => l.Contains("Status=\"Ok\"", StringComparison.Ordinal)
                && (l.Contains("Direction=\"Request\"", StringComparison.Ordinal) || l.Contains("Direction=\"OneWay\"", StringComparison.Ordinal))),
            Sum("hazardgrid_grain_calls_counted"),
            Math.Max(Sum("orleans_consistent_ring_size"), Sum("orleans_directory_ring_size")),
            lines.Where(l => l.StartsWith("hazardgrid_grain_calls_hottest", StringComparison.Ordinal))
                .Select(l => (GrainLabel().Match(l).Groups[1].Value, Value(l))).ToList(),
            lines.Where(l => IsSeries(l, "orleans_catalog_activations"))
                .GroupBy(l => GrainTypeLabel().Match(l).Groups[1].Value).ToDictionary(g => g.Key, g => g.Sum(Value)));
    }

    private static bool IsSeries(string line, string name) =>
        line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is '{' or ' ';

    private static long Value(string line)
    {
        var parts = line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ');
        return (long)double.Parse(parts[0], CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("grain=\"([^\"]*)\"")]
    private static partial Regex GrainLabel();

    [GeneratedRegex("grain_type=\"([^\"]*)\"")]
    private static partial Regex GrainTypeLabel();
}

/// <summary>Each call to the next silo's gateway in turn, as a load balancer in front of the cluster would.</summary>
public sealed class RoundRobinInvoker(CallInvoker[] invokers) : CallInvoker
{
    private int _next = -1;

    private CallInvoker Next => invokers[(int)((uint)Interlocked.Increment(ref _next) % (uint)invokers.Length)];

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        Next.BlockingUnaryCall(method, host, options, request);

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        Next.AsyncUnaryCall(method, host, options, request);

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        Next.AsyncServerStreamingCall(method, host, options, request);

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        Next.AsyncClientStreamingCall(method, host, options);

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        Next.AsyncDuplexStreamingCall(method, host, options);
}
