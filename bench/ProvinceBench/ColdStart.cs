using System.Globalization;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using HazardGrid.Api.V1;
using HazardGrid.Regions;
using HazardGrid.Simulator;

namespace HazardGrid.Bench;

/// <summary>
/// Issue 12's cold start, after every other phase: the silo holding the province is stopped as an
/// orchestrator stops it (SIGTERM) and started again on the same database, and the run measures
///   process start → the first acknowledged write (a new enterprise's registration)      ≤ 5 s
///   process start → every region's GetRegionStatus figures equal to before the stop      ≤ 30 s
/// (and the province's equal to the simulator's count). Both clocks start when the process is
/// started and run side by side, as a restarted service meets its callers. The baseline is the
/// same silo's first start on the bench's empty database, before the load (<see cref="FirstWriteAsync"/>
/// there too): what the runtime, Orleans, the schema and PostgreSQL's membership cost without data.
/// Returns the table rows; prints the details (when the host said it was running) as it goes.
/// </summary>
internal static class ColdStart
{
    private static readonly TimeSpan s_limit = TimeSpan.FromMinutes(2);
    private const int Parallelism = 16;

    /// <summary>Every region of the catalog (province, cities, counties, towns) as an API name.</summary>
    public static IReadOnlyList<string> Regions { get; } = [.. RegionCatalog.Shandong.All.Select(r => "regions/" + r.Code).Order(StringComparer.Ordinal)];

    /// <summary>Every region's figures as the running silo answers them now.</summary>
    public static async Task<Dictionary<string, HazardFigures>> SnapshotAsync(RegionService.RegionServiceClient regions)
    {
        var figures = new System.Collections.Concurrent.ConcurrentDictionary<string, HazardFigures>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(Regions, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (name, ct) =>
            figures[name] = (await regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = name }, cancellationToken: ct)).Figures);
        return new Dictionary<string, HazardFigures>(figures, StringComparer.Ordinal);
    }

    public static async Task<List<string>> RunAsync(ServiceProcess running, Func<ServiceProcess> start, IReadOnlyDictionary<string, HazardFigures> before,
        Expected expected, SimEnterprise sample, TimeSpan? emptyStart)
    {
        var stopped = running.Stop(TimeSpan.FromSeconds(60));
        Console.WriteLine($"Cold start: the silo stopped (SIGTERM) in {stopped.TotalSeconds:F1} s; starting it again on the same database.");

        using var service = start();
        // Two writers side by side, each its own new enterprise: one whose channel reconnects
        // within 100 ms (the figure: when the service takes a write), and one with gRPC's default
        // reconnect backoff (1 s, then ×1.6 each attempt, jittered), as the bench measured before
        // 2026-11-28 — a client that met a closed port waits out its backoff before it tries again,
        // so its first write lands on one of its reconnect attempts, not when the service was ready.
        var write = FirstWriteAsync(service, sample, "cold", QuickReconnect);
        var defaultWrite = FirstWriteAsync(service, sample, "cold-default", reconnect: null);
        var tree = TreeEqualAsync(service, before, expected);
        var written = await write;
        var writtenDefault = await defaultWrite;
        var (equalAt, firstAnswer, mismatches, provinceEqual) = await tree;
        var runningAt = RunningAt(service);
        Console.WriteLine($"Cold start: host said it was running at {Seconds(runningAt)}, first region status answered at {Seconds(firstAnswer)}, "
            + $"first write acknowledged at {Seconds(written)} (by a client with gRPC's default reconnect backoff: {Seconds(writtenDefault)}), all {Regions.Count:N0} regions equal at {Seconds(equalAt)}"
            + (mismatches.Count == 0 ? "." : $"; {mismatches.Count:N0} still different, e.g. {string.Join("; ", mismatches.Take(3))}."));

        var rows = new List<string>();
        var baseline = emptyStart is { } e ? $"{e.TotalSeconds:F1} s the same silo on an empty database" : "";
        var ratio = written is { } w && emptyStart is { } b && b > TimeSpan.Zero ? (w / b).ToString("F1", CultureInfo.InvariantCulture) : "";
        rows.Add($"| cold start with the province: process start → first acknowledged write (host running at {Seconds(runningAt)}; a client with gRPC's default reconnect backoff: {Seconds(writtenDefault)}) | {Seconds(written)} | {baseline} | {ratio} | ≤ 5 s | {(written <= TimeSpan.FromSeconds(5) ? "yes" : "no")} |");
        rows.Add($"| cold start with the province: process start → all {Regions.Count:N0} regions' figures equal to before the stop (province = simulator: {(provinceEqual ? "equal" : "DIFFERENT")}) | {(equalAt is { } t ? Seconds(t) : $"not within {s_limit.TotalMinutes:F0} min ({mismatches.Count:N0} different)")} | first status answered at {Seconds(firstAnswer)} | | ≤ 30 s | {(equalAt <= TimeSpan.FromSeconds(30) && provinceEqual ? "yes" : "no")} |");
        return rows;
    }

    /// <summary>A channel that tries to connect again within 100 ms: gRPC's default backoff (1 s,
    /// ×1.6 per attempt, up to 2 min) would make a start's figures the client's reconnect times.</summary>
    public static readonly GrpcChannelOptions QuickReconnect = new() { InitialReconnectBackoff = TimeSpan.FromMilliseconds(100), MaxReconnectBackoff = TimeSpan.FromMilliseconds(100) };

    /// <summary>Registers a new enterprise, again and again until it is acknowledged; returns when, since the process started.</summary>
    /// <param name="reconnect">The channel's options (<see cref="QuickReconnect"/>), or null for gRPC's defaults.</param>
    public static async Task<TimeSpan?> FirstWriteAsync(ServiceProcess service, SimEnterprise sample, string run, GrpcChannelOptions? reconnect)
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{service.GrpcPort}", reconnect ?? new GrpcChannelOptions());
        var enterprises = new EnterpriseService.EnterpriseServiceClient(channel.Intercept(h => { h.Add("authorization", $"Bearer {ServiceProcess.Token()}"); return h; }));
        // A new enterprise in the sample's town, with a code the simulator never makes (its seed
        // digit is 1): a write that touches no region's figures, so the tree check stays exact.
        var code = HazardGrid.Enterprises.UnifiedSocialCreditCode.Complete("91" + sample.TownCode[..6] + "9" + Random.Shared.Next(10_000_000).ToString("D7", CultureInfo.InvariantCulture) + "X");
        var request = new RegisterEnterpriseRequest
        {
            RequestId = $"coldstart-{run}-{code}",
            Enterprise = new Enterprise
            {
                CreditCode = code, DisplayName = "冷启动企业", Town = sample.TownCode, Sectors = { sample.Sector },
                Principal = new Person { Name = "负责人" }, ActualController = new Person { Name = "控制人" },
            },
        };
        while (service.SinceStart < s_limit)
        {
            try
            {
                await enterprises.RegisterEnterpriseAsync(request, deadline: DateTime.UtcNow.AddSeconds(5));
                return service.SinceStart;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown)
            {
                if (Environment.GetEnvironmentVariable("HAZARDGRID_SERVICE_OUTPUT") is { Length: > 0 })
                {
                    Console.WriteLine($"  first write ({run}): {service.SinceStart.TotalSeconds:F3} s {ex.StatusCode} {ex.Status.Detail}");
                }

                await Task.Delay(50); // not up yet: the same request again (idempotent by its id)
            }
        }

        return null;
    }

    private static async Task<(TimeSpan? EqualAt, TimeSpan? FirstAnswer, List<string> Mismatches, bool ProvinceEqual)> TreeEqualAsync(
        ServiceProcess service, IReadOnlyDictionary<string, HazardFigures> before, Expected expected)
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{service.GrpcPort}", QuickReconnect);
        var regions = new RegionService.RegionServiceClient(channel.Intercept(h => { h.Add("authorization", $"Bearer {ServiceProcess.Token()}"); return h; }));
        TimeSpan? firstAnswer = null;
        var left = new HashSet<string>(Regions, StringComparer.Ordinal);
        var mismatches = new List<string>();
        var provinceEqual = false;
        // The limit holds inside a pass too: a pass over ~2,000 regions whose calls each wait out
        // their deadline on a silo that is not up would otherwise run far past it.
        using var limit = new CancellationTokenSource(s_limit > service.SinceStart ? s_limit - service.SinceStart : TimeSpan.Zero);
        while (service.SinceStart < s_limit)
        {
            // Each pass asks every region still different; the ones equal to before are done.
            var different = new System.Collections.Concurrent.ConcurrentBag<string>();
            var failed = 0;
            try
            {
            await Parallel.ForEachAsync(left.ToList(), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = limit.Token }, async (name, ct) =>
            {
                try
                {
                    var now = (await regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = name }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: ct)).Figures;
                    lock (left)
                    {
                        firstAnswer ??= service.SinceStart;
                        if (name == "regions/37")
                        {
                            provinceEqual = Expected.Of(now) == expected;
                        }

                        if (now.Equals(before[name]))
                        {
                            left.Remove(name);
                        }
                        else
                        {
                            different.Add(Difference(name, before[name], now));
                        }
                    }
                }
                catch (RpcException)
                {
                    Interlocked.Increment(ref failed); // not up yet
                }
            });
            }
            catch (OperationCanceledException)
            {
                break; // the limit passed mid-pass
            }

            mismatches = [.. different];
            if (left.Count == 0)
            {
                return (service.SinceStart, firstAnswer, mismatches, provinceEqual);
            }

            await Task.Delay(failed > 0 ? 50 : 200);
        }

        return (null, firstAnswer, mismatches, provinceEqual);
    }

    /// <summary>The first figure that differs, for the log.</summary>
    private static string Difference(string name, HazardFigures before, HazardFigures now)
    {
        foreach (var field in HazardFigures.Descriptor.Fields.InFieldNumberOrder())
        {
            var (a, b) = (field.Accessor.GetValue(before), field.Accessor.GetValue(now));
            if (!Equals(a, b) && !(a?.ToString() == b?.ToString()))
            {
                return $"{name} {field.Name} {a} → {b}";
            }
        }

        return $"{name} (figures differ)";
    }

    public static TimeSpan? RunningAt(ServiceProcess service) =>
        service.Output.FirstOrDefault(o => o.Line.StartsWith("HazardGrid is running", StringComparison.Ordinal)) is { Line: not null } hit ? hit.At : null;

    public static string Seconds(TimeSpan? t) => t is { } v ? $"{v.TotalSeconds:F1} s" : "never";
}
