using System.Net;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using HazardGrid.Api.V1;
using HazardGrid.Common;
using HazardGrid.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using Xunit;

namespace HazardGrid.Tests.Infrastructure;

/// <summary>
/// A real in-process Orleans cluster (TestingHost) with the real grains, fronted by the real
/// gRPC gateway on a loopback port, reached through a real <see cref="GrpcChannel"/>. Domain time
/// is a <see cref="FakeTimeProvider"/> the tests move; Orleans itself runs on real time. The
/// gateway takes the test keys (<see cref="TestTokens"/>); <see cref="Invoker"/> carries a
/// province-wide system token (subject <see cref="SystemId"/>), <see cref="SupervisorHazards"/> a
/// province supervisor's, and <see cref="As"/> any other.
/// </summary>
/// <remarks>
/// Tests that look only at their own keys (fresh enterprises, towns no other test of the
/// collection counts in) share one in the <see cref="SharedCluster"/> collection. A test that
/// asserts a whole region's figures (a county, a city, the province) or moves the clock far
/// takes its own, as a class fixture.
/// </remarks>
public class ClusterFixture : IAsyncLifetime
{
    public const string SystemId = "test-county-system";

    /// <summary>10 June 2025, 09:00 China time: after the stock cut-off, well inside a month.</summary>
    public static readonly DateTimeOffset Start = new(2025, 6, 10, 9, 0, 0, ChinaTime.Offset);

    private WebApplication? _gateway;

    public FakeTimeProvider Time { get; } = new(Start);

    /// <summary>Grain calls counted as they reach and leave their activations (see <see cref="GrainCallCounter"/>).</summary>
    public GrainCallCounter Calls { get; } = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public CallInvoker Invoker { get; private set; } = null!;

    /// <summary>The gateway's HTTP/1.1 endpoint, where the API is served as HTTP/JSON.</summary>
    public Uri JsonAddress { get; private set; } = null!;

    public EnterpriseService.EnterpriseServiceClient Enterprises => new(Invoker);

    public HazardService.HazardServiceClient Hazards => new(Invoker);

    public RegionService.RegionServiceClient Regions => new(Invoker);

    /// <summary>The province supervisor: extends deadlines and raises levels of any hazard.</summary>
    public HazardService.HazardServiceClient SupervisorHazards => new(As(TestTokens.Mint("supervisor", TestTokens.Province, "test-province-supervisor")));

    /// <summary>A call invoker that presents <paramref name="token"/>.</summary>
    public CallInvoker As(string token) => Channel.WithToken(token);

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>The escalation policy of the cluster's silos; null for the standard one. A fixture
    /// for another policy overrides it (see <see cref="DeadlineWarningCluster"/>).</summary>
    protected virtual Escalations.EscalationPolicy? Policy => null;

    /// <summary>Anything more a fixture that builds this one adds to every silo (e.g. settings), set before <see cref="InitializeAsync"/>.</summary>
    public Action<ISiloBuilder>? Silo { get; init; }

    public async Task InitializeAsync()
    {
        Cluster = await TestClusters.StartAsync(new TestClusterSettings
        {
            Time = Time,
            Silo = silo =>
            {
                silo.AddIncomingGrainCallFilter(Calls);
                if (Policy is { } policy)
                {
                    silo.Services.AddSingleton(policy);
                }

                Silo?.Invoke(silo);
            },
        });

        // As the service listens: gRPC on an HTTP/2-only (h2c) port, HTTP/JSON on an HTTP/1.1 one.
        ListenOptions? grpc = null, json = null;
        _gateway = await StartGatewayAsync(null, k =>
        {
            k.Listen(IPAddress.Loopback, 0, l => (grpc = l).Protocols = HttpProtocols.Http2);
            k.Listen(IPAddress.Loopback, 0, l => (json = l).Protocols = HttpProtocols.Http1);
        });

        // Kestrel writes the port it bound back into each endpoint's options.
        Channel = GrpcChannel.ForAddress($"http://{grpc!.IPEndPoint}");
        JsonAddress = new Uri($"http://{json!.IPEndPoint}");
        Invoker = Channel.WithToken(TestTokens.Mint("system", TestTokens.Province, SystemId));
    }

    /// <summary>A gateway in front of this cluster on its own loopback port, with the test keys and
    /// <paramref name="settings"/> (e.g. lower limits), speaking gRPC (HTTP/2) or, with
    /// <paramref name="http1"/>, HTTP/JSON (HTTP/1.1); the caller stops it.</summary>
    public Task<WebApplication> StartGatewayAsync(IReadOnlyDictionary<string, string?>? settings = null, bool http1 = false) =>
        StartGatewayAsync(settings, k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = http1 ? HttpProtocols.Http1 : HttpProtocols.Http2));

    /// <summary>A gateway as above, listening where <paramref name="listen"/> says (e.g. a fixed port,
    /// to stop it and start another in its place).</summary>
    public async Task<WebApplication> StartGatewayAsync(IReadOnlyDictionary<string, string?>? settings, Action<KestrelServerOptions> listen)
    {
        var web = WebApplication.CreateSlimBuilder();
        web.Logging.SetMinimumLevel(LogLevel.Warning);
        web.Configuration.AddInMemoryCollection(TestTokens.Settings);
        web.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        web.WebHost.ConfigureKestrel(listen);
        web.Services.AddSingleton<IGrainFactory>(Cluster.Client);
        web.Services.AddHazardGridGateway();
        var gateway = web.Build();
        gateway.MapHazardGridGateway();
        await gateway.StartAsync();
        return gateway;
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

/// <summary>A cluster whose ladder warns before the deadline (the standard ladder with
/// <see cref="Escalations.LadderRung.DefaultWarning"/> first).</summary>
public sealed class DeadlineWarningCluster : ClusterFixture
{
    public static Escalations.EscalationPolicy WithWarning { get; } = Escalations.EscalationPolicy.Standard with
    {
        Default = Escalations.EscalationPolicy.Standard.Default with
        {
            Rungs = Escalations.EscalationPolicy.Standard.Default.Rungs.Insert(0, Escalations.LadderRung.DefaultWarning),
        },
    };

    protected override Escalations.EscalationPolicy? Policy => WithWarning;
}

/// <summary>One cluster for the test classes that look only at their own keys; see <see cref="ClusterFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class SharedCluster : ICollectionFixture<ClusterFixture>
{
    public const string Name = "shared cluster";
}
