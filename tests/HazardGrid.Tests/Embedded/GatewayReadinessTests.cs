using System.Diagnostics;
using System.Net;
using Grpc.Health.V1;
using Grpc.Net.Client;
using HazardGrid.Gateway.Hosting;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Embedded;

/// <summary>
/// A standalone gateway's readiness tells the truth: started with no silo it is live but not ready
/// (HTTP <c>/readyz</c> 503, gRPC health NOT_SERVING for the server and every API service), ready
/// once a silo comes up on its Orleans gateway port, and not ready again when that silo is killed.
/// </summary>
public sealed class GatewayReadinessTests : IDisposable
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);

    private readonly string _data = Path.Combine(Path.GetTempPath(), "hazardgrid-ready-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task A_gateway_is_ready_only_while_a_silo_answers()
    {
        var orleansPort = SiloProcess.FreePort();
        var (grpcPort, httpPort) = (SiloProcess.FreePort(), SiloProcess.FreePort());
        using var gateway = StartGateway(orleansPort, grpcPort, httpPort, out var output);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(10) };
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
            var health = new Health.HealthClient(channel);

            // No silo: alive, not ready, and it says so on both protocols.
            await Eventually(async () => await Status(http, HealthExtensions.LivenessPath) == HttpStatusCode.OK, "the gateway answers /healthz", output);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await Status(http, HealthExtensions.ReadinessPath));
            Assert.All(await GrpcHealth(health), s => Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, s));

            // A silo on the gateway's Orleans port: ready.
            var silo = await SiloProcess.StartAsync(_data, $"--HazardGrid:GatewayPort={orleansPort}");
            await using (silo)
            {
                await Eventually(async () => await Status(http, HealthExtensions.ReadinessPath) == HttpStatusCode.OK, "the gateway becomes ready", output);
                Assert.All(await GrpcHealth(health), s => Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, s));
                Assert.Contains("HazardGrid gateway is running", Text(output));

                // The silo dies: not ready again, while still alive.
                silo.Kill();
                await Eventually(async () => await Status(http, HealthExtensions.ReadinessPath) == HttpStatusCode.ServiceUnavailable, "the gateway turns not ready", output);
                Assert.All(await GrpcHealth(health), s => Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, s));
                Assert.Equal(HttpStatusCode.OK, await Status(http, HealthExtensions.LivenessPath));
            }
        }
        finally
        {
            gateway.Kill(entireProcessTree: true);
            await gateway.WaitForExitAsync();
        }
    }

    private static Process StartGateway(int orleansPort, int grpcPort, int httpPort, out List<string> output)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HazardGrid.Gateway.dll"));
        start.ArgumentList.Add($"--HazardGrid:GatewayPort={orleansPort}");
        start.ArgumentList.Add($"--HazardGrid:Endpoints:GrpcPort={grpcPort}");
        start.ArgumentList.Add($"--HazardGrid:Endpoints:HttpPort={httpPort}");
        var lines = new List<string>();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (lines) { lines.Add(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (lines) { lines.Add(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = lines;
        return process;
    }

    private static async Task<HttpStatusCode?> Status(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null; // not listening yet
        }
    }

    private static async Task<List<HealthCheckResponse.Types.ServingStatus>> GrpcHealth(Health.HealthClient health)
    {
        var statuses = new List<HealthCheckResponse.Types.ServingStatus>();
        foreach (var service in HealthExtensions.GrpcServices)
        {
            statuses.Add((await health.CheckAsync(new HealthCheckRequest { Service = service }, deadline: DateTime.UtcNow.AddSeconds(10))).Status);
        }

        return statuses;
    }

    /// <summary>Polls until <paramref name="condition"/> holds, for at most a minute.</summary>
    private static async Task Eventually(Func<Task<bool>> condition, string what, List<string> output)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < s_bound, $"Expected {what} within {s_bound.TotalSeconds} s. Gateway output:\n{Text(output)}");
            await Task.Delay(200);
        }
    }

    private static string Text(List<string> output)
    {
        lock (output)
        {
            return string.Join('\n', output);
        }
    }
}
