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
        await using var gateway = ProcessUnderTest.Start(Path.Combine(AppContext.BaseDirectory, "HazardGrid.Gateway.dll"),
            $"--HazardGrid:GatewayPort={orleansPort}", $"--HazardGrid:Endpoints:GrpcPort={grpcPort}", $"--HazardGrid:Endpoints:HttpPort={httpPort}");
        var (live, ready) = ($"http://127.0.0.1:{httpPort}{HealthExtensions.LivenessPath}", $"http://127.0.0.1:{httpPort}{HealthExtensions.ReadinessPath}");
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        var health = new Health.HealthClient(channel);

        // No silo: alive, not ready, and it says so on both protocols.
        await gateway.WaitForHttpAsync(live, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await ProcessUnderTest.StatusAsync(ready));
        Assert.All(await GrpcHealth(health), s => Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, s));

        // A silo on the gateway's Orleans port: ready.
        await using var silo = await SiloProcess.StartAsync(_data, $"--HazardGrid:GatewayPort={orleansPort}");
        await gateway.WaitForHttpAsync(ready, HttpStatusCode.OK);
        Assert.All(await GrpcHealth(health), s => Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, s));
        await gateway.WaitForLineAsync("HazardGrid gateway is running");

        // The silo dies: not ready again, while still alive.
        silo.Kill();
        await gateway.WaitForHttpAsync(ready, HttpStatusCode.ServiceUnavailable);
        Assert.All(await GrpcHealth(health), s => Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, s));
        Assert.Equal(HttpStatusCode.OK, await ProcessUnderTest.StatusAsync(live));
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
}
