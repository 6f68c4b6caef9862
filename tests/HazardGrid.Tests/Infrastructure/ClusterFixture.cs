using System.Net;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using HazardGrid.Api.V1;
using HazardGrid.Common;
using HazardGrid.Gateway.Hosting;
using HazardGrid.Rollups;
using HazardGrid.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using Xunit;

namespace HazardGrid.Tests.Infrastructure;

/// <summary>
/// A real in-process Orleans cluster (TestingHost) with the real grains, fronted by the real
/// gRPC gateway on a loopback port, reached through a real <see cref="GrpcChannel"/>. Domain time
/// is a <see cref="FakeTimeProvider"/> the tests move; Orleans itself runs on real time.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const string SystemId = "test-county-system";

    /// <summary>10 June 2025, 09:00 China time: after the stock cut-off, well inside a month.</summary>
    public static readonly DateTimeOffset Start = new(2025, 6, 10, 9, 0, 0, ChinaTime.Offset);

    private WebApplication? _gateway;

    public FakeTimeProvider Time { get; } = new(Start);

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public CallInvoker Invoker { get; private set; } = null!;

    public EnterpriseService.EnterpriseServiceClient Enterprises => new(Invoker);

    public HazardService.HazardServiceClient Hazards => new(Invoker);

    public RegionService.RegionServiceClient Regions => new(Invoker);

    public DateTimeOffset Now => Time.GetUtcNow();

    public async Task InitializeAsync()
    {
        var clock = new DomainClock(Time);
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            // Orleans' binary format, as in production: the memory provider's JSON default cannot read
            // back every state record, which shows as soon as a grain is deactivated and reactivated.
            silo.AddMemoryGrainStorage(StorageNames.Store, storage => storage.Configure<Orleans.Serialization.Serializer>(
                (o, serializer) => o.GrainStorageSerializer = new Orleans.Storage.OrleansGrainStorageSerializer(serializer)));
            silo.Services.AddSingleton(clock);
            silo.AddHazardGrid();
            silo.Services.Configure<RollupOptions>(o =>
            {
                o.FlushDelay = TimeSpan.FromMilliseconds(20);
                o.ClockCheckPeriod = TimeSpan.FromMilliseconds(50);
            });
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();

        var web = WebApplication.CreateSlimBuilder();
        web.Logging.SetMinimumLevel(LogLevel.Warning);
        web.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        web.Services.AddSingleton<IGrainFactory>(Cluster.Client);
        web.Services.AddHazardGridGateway();
        _gateway = web.Build();
        _gateway.MapHazardGridGateway();
        await _gateway.StartAsync();

        Channel = GrpcChannel.ForAddress(_gateway.Urls.First());
        Invoker = Channel.Intercept(headers =>
        {
            headers.Add("x-system-id", SystemId);
            return headers;
        });
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.StopAsync();
            await _gateway.DisposeAsync();
        }

        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    /// <summary>Moves domain time; towns notice on their next clock check.</summary>
    public void Advance(TimeSpan by) => Time.Advance(by);
}
