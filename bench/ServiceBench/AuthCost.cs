using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using HazardGrid.Api.V1;
using HazardGrid.Gateway.Security;
using HazardGrid.Regions;

namespace HazardGrid.Bench;

/// <summary>
/// What authentication costs on the write path (issue 9: at most 5% fewer writes/s than without
/// it). Two embedded services of the same build run side by side: one requires a credential as
/// always, the other runs with the benchmark switch (<see cref="BenchmarkUnauthenticated"/>), which
/// replaces the bearer-token check with a fixed province-wide caller. The same durable-ingest phase
/// is run against each in turn, A B B A A B …, so that drift of the machine (other processes, the
/// stores growing) falls on both sides alike; the figure is each side's writes over its total time.
/// A second figure is steadier: the service's CPU time per acknowledged write on each side. The
/// embedded store's fsync stalls move the write rate by ±20% from round to round, but not the CPU
/// a write costs; on a machine where the service is CPU-bound the write rate with credentials is
/// at most the ratio of the two CPU costs of the rate without.
/// </summary>
internal static class AuthCost
{
    private const int Concurrency = 32;

    public static async Task<int> RunAsync(string silo, TimeSpan phase, int rounds)
    {
        Console.WriteLine($"Cost of authentication on the write path: 2 embedded services (same build), {Concurrency} calls in flight, {rounds} rounds of {phase.TotalSeconds:F0} s per side, alternated A B B A …, {Environment.ProcessorCount} cores");
        var root = Path.Combine(Path.GetTempPath(), "hazardgrid-bench-auth-" + Guid.NewGuid().ToString("N"));
        await using var secured = await Side.StartAsync(silo, Path.Combine(root, "secured"), "with credentials", unauthenticated: false);
        await using var open = await Side.StartAsync(silo, Path.Combine(root, "open"), "without authentication", unauthenticated: true);

        // Warm both (JIT, connections, grain activations) before anything counts.
        await secured.IngestAsync(TimeSpan.FromSeconds(2));
        await open.IngestAsync(TimeSpan.FromSeconds(2));
        secured.Reset();
        open.Reset();

        for (var round = 0; round < rounds; round++)
        {
            var (first, second) = round % 2 == 0 ? (secured, open) : (open, secured);
            foreach (var side in new[] { first, second })
            {
                var load = await side.IngestAsync(phase);
                Console.WriteLine($"  round {round + 1}: {side.Name,-24} {load.PerSecond,7:N0} writes/s (p50 {load.P(50):F1} ms, p99 {load.P(99):F1} ms), service CPU {side.LastCpuPerWriteMs:F3} ms a write");
            }
        }

        // The credential check itself, as the service makes it (the same validation parameters,
        // JsonWebTokenHandler, the claims read into a Caller), timed here over many calls: its CPU
        // per call next to the service's CPU per write measured above bounds what it can cost.
        var check = CredentialCheckMicroseconds();
        var ratio = secured.PerSecond / open.PerSecond;
        Console.WriteLine();
        Console.WriteLine("| figure | value | baseline | ratio | goal | met |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        Console.WriteLine($"| durable ingest with credentials (a JWT checked on every call), embedded | {secured.PerSecond:N0}/s | {open.PerSecond:N0}/s without authentication (same build, {rounds} alternating rounds of {phase.TotalSeconds:F0} s each) | {ratio:F2} | ≥ 0.95 | {(ratio >= 0.95 ? "yes" : "no")} |");
        Console.WriteLine($"| write latency p50 / p99 with credentials | {secured.P(50):F1} / {secured.P(99):F1} ms | {open.P(50):F1} / {open.P(99):F1} ms without | | | |");
        var cpuRatio = open.CpuPerWriteMs / secured.CpuPerWriteMs;
        Console.WriteLine($"| service CPU per acknowledged write with credentials (writes/s the CPU allows, relative) | {secured.CpuPerWriteMs:F3} ms | {open.CpuPerWriteMs:F3} ms without authentication (same rounds) | {cpuRatio:F2} | ≥ 0.95 | {(cpuRatio >= 0.95 ? "yes" : "no")} |");

        var share = check / 1000 / open.CpuPerWriteMs;
        Console.WriteLine($"| CPU of one credential check (JWT validated, claims read), in this process | {check:F1} µs | {open.CpuPerWriteMs:F3} ms service CPU per write without authentication (same run) | {1 - share:F3} | ≥ 0.95 | {(1 - share >= 0.95 ? "yes" : "no")} |");

        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        return 0;
    }

    private static double CredentialCheckMicroseconds()
    {
        var parameters = new AuthOptions { SigningKeys = [ServiceProcess.Key] }.ValidationParameters();
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler { MapInboundClaims = false };
        var token = ServiceProcess.Token();
        void Check()
        {
            var result = handler.ValidateTokenAsync(token, parameters).GetAwaiter().GetResult();
            var principal = new System.Security.Claims.ClaimsPrincipal(result.ClaimsIdentity);
            if (!result.IsValid || Caller.Problem(principal) is not null || Caller.From(principal) is null)
            {
                throw new InvalidOperationException("the benchmark's token does not pass the service's check", result.Exception);
            }
        }

        for (var i = 0; i < 2_000; i++)
        {
            Check(); // warm-up: JIT, the key's signature provider
        }

        const int Calls = 20_000;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < Calls; i++)
        {
            Check();
        }

        return clock.Elapsed.TotalMicroseconds / Calls;
    }

    /// <summary>One service and its client: its own data, enterprises and request ids.</summary>
    private sealed class Side : IAsyncDisposable
    {
        private readonly ServiceProcess _service;
        private readonly GrpcChannel _channel;
        private readonly HazardService.HazardServiceClient _hazards;
        private readonly (string Town, string Code)[] _codes;
        private readonly List<double> _latencies = [];
        private readonly string _data;
        private TimeSpan _elapsed;
        private TimeSpan _cpu;
        private int _next;

        private Side(string name, ServiceProcess service, GrpcChannel channel, CallInvoker invoker, (string Town, string Code)[] codes, string data)
        {
            Name = name;
            _service = service;
            _channel = channel;
            _hazards = new HazardService.HazardServiceClient(invoker);
            _codes = codes;
            _data = data;
        }

        public string Name { get; }

        public double PerSecond => _latencies.Count / _elapsed.TotalSeconds;

        /// <summary>The service's CPU time over its acknowledged writes, all rounds.</summary>
        public double CpuPerWriteMs => _cpu.TotalMilliseconds / Math.Max(1, _latencies.Count);

        public double LastCpuPerWriteMs { get; private set; }

        public double P(int percentile)
        {
            _latencies.Sort();
            return Load.Percentile(_latencies, percentile);
        }

        public static async Task<Side> StartAsync(string silo, string data, string name, bool unauthenticated)
        {
            var service = unauthenticated
                ? new ServiceProcess(silo, data, http: false, new Dictionary<string, string> { [BenchmarkUnauthenticated.EnvironmentVariable] = "1" }, $"--{BenchmarkUnauthenticated.Setting}=true")
                : new ServiceProcess(silo, data, http: false);
            var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{service.GrpcPort}");

            // Without authentication the client sends no token at all: its cost is part of what is measured.
            var invoker = unauthenticated
                ? channel.CreateCallInvoker()
                : channel.Intercept(h => { h.Add("authorization", $"Bearer {ServiceProcess.Token()}"); return h; });
            var towns = RegionCatalog.Shandong.All.Where(r => r.Level == HazardGrid.Regions.RegionLevel.Town).Select(r => r.Code).ToArray();
            var codes = Enumerable.Range(0, 2_000).Select(i => (Town: towns[i % towns.Length], Code: HazardGrid.Enterprises.UnifiedSocialCreditCode.Complete("91" + towns[i % towns.Length][..6] + i.ToString("D8", System.Globalization.CultureInfo.InvariantCulture) + "X"))).ToArray();
            var enterprises = new EnterpriseService.EnterpriseServiceClient(invoker);
            async Task Register(int i)
            {
                var e = new Enterprise { CreditCode = codes[i].Code, DisplayName = $"基准企业{i}", Town = codes[i].Town, Principal = new Person { Name = "负责人" }, ActualController = new Person { Name = "控制人" } };
                e.Sectors.Add(Sector.Chemicals);
                await enterprises.RegisterEnterpriseAsync(new RegisterEnterpriseRequest { Enterprise = e, RequestId = $"bench-e{i}" });
            }

            // The first registration doubles as the readiness check: the open side answers it only
            // if the switch took effect (otherwise UNAUTHENTICATED until the minute is up).
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    await Register(0);
                    break;
                }
                catch (RpcException) when (clock.Elapsed < TimeSpan.FromSeconds(60))
                {
                    await Task.Delay(100);
                }
            }

            await Parallel.ForEachAsync(Enumerable.Range(1, codes.Length - 1), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, _) => await Register(i));
            return new Side(name, service, channel, invoker, codes, data);
        }

        /// <summary>One ingest phase; its writes and time count towards this side's figure.</summary>
        public async Task<Load> IngestAsync(TimeSpan duration)
        {
            var cpu = _service.CpuTime;
            var load = await Load.Run(duration, Concurrency, async _ =>
            {
                var n = Interlocked.Increment(ref _next);
                await _hazards.ReportHazardAsync(new ReportHazardRequest
                {
                    Parent = $"enterprises/{_codes[n % _codes.Length].Code}",
                    Hazard = new NewHazard
                    {
                        Channel = ReportChannel.Inspection, Sector = Sector.Chemicals, Criterion = $"B-{n}", Location = $"L-{n}",
                        Description = "基准测试隐患", FoundTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-1)),
                    },
                    RequestId = $"bench-h{n}",
                });
            });
            var used = _service.CpuTime - cpu;
            _latencies.AddRange(load.LatenciesMs);
            _elapsed += load.Elapsed;
            _cpu += used;
            LastCpuPerWriteMs = used.TotalMilliseconds / Math.Max(1, load.LatenciesMs.Count);
            return load;
        }

        public void Reset()
        {
            _latencies.Clear();
            _elapsed = TimeSpan.Zero;
            _cpu = TimeSpan.Zero;
        }

        public ValueTask DisposeAsync()
        {
            _channel.Dispose();
            _service.Dispose();
            if (Directory.Exists(_data))
            {
                Directory.Delete(_data, recursive: true);
            }

            return ValueTask.CompletedTask;
        }
    }
}
