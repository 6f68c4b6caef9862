using System.Net;
using Grpc.Net.Client;
using HazardGrid.Api.V1;
using HazardGrid.Escalations;
using HazardGrid.Gateway.Hosting;
using HazardGrid.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace HazardGrid.Tests.Escalation;

/// <summary>
/// The whole service as a restartable unit for ladder tests: real silos on a SQLite file with a
/// given escalation policy (as a restart with another configuration would give them), the real
/// gateway in front on a loopback port, and a real gRPC channel. Stopping it and starting another
/// on the same directory is a restart of every process.
/// </summary>
internal sealed class LadderService : IAsyncDisposable
{
    private InProcessTestCluster _cluster = null!;
    private WebApplication _gateway = null!;
    private GrpcChannel _channel = null!;

    public IGrainFactory Grains => _cluster.Client;

    /// <summary>A province-wide system (pushes hazards, requests extensions on enterprises' behalf).</summary>
    public HazardService.HazardServiceClient Hazards { get; private set; } = null!;

    public EnterpriseService.EnterpriseServiceClient Enterprises { get; private set; } = null!;

    public RegionService.RegionServiceClient Regions { get; private set; } = null!;

    /// <summary>A hazard client with a supervisor's credential for <paramref name="region"/>.</summary>
    public HazardService.HazardServiceClient Supervisor(string region) =>
        new(_channel.WithToken(TestTokens.Mint("supervisor", region, $"supervisor-{region}")));

    public static async Task<LadderService> StartAsync(string dataDirectory, FakeTimeProvider time, EscalationPolicy policy)
    {
        var service = new LadderService();
        service._cluster = await TestClusters.StartAsync(new TestClusterSettings
        {
            ServiceId = "ladder-test",
            Storage = TestStorage.Sqlite(dataDirectory),
            Time = time,
            Silo = silo => silo.Services.AddSingleton(policy),
        });

        ListenOptions? grpc = null;
        var web = WebApplication.CreateSlimBuilder();
        web.Logging.SetMinimumLevel(LogLevel.Warning);
        web.Configuration.AddInMemoryCollection(TestTokens.Settings);
        web.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => (grpc = l).Protocols = HttpProtocols.Http2));
        web.Services.AddSingleton<IGrainFactory>(service._cluster.Client);
        web.Services.AddHazardGridGateway();
        service._gateway = web.Build();
        service._gateway.MapHazardGridGateway();
        await service._gateway.StartAsync();

        service._channel = GrpcChannel.ForAddress($"http://{grpc!.IPEndPoint}");
        var system = service._channel.WithToken(TestTokens.Mint("system", TestTokens.Province, "ladder-test-system"));
        service.Hazards = new(system);
        service.Enterprises = new(system);
        service.Regions = new(system);
        return service;
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }
}
