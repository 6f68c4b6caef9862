using System.Collections.Concurrent;
using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using HazardGrid.Api.V1;
using HazardGrid.Common;
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
using Xunit;

namespace HazardGrid.Tests.Tips;

/// <summary>
/// A test cluster and gateway like <see cref="ClusterFixture"/>'s, of the tip tests' own (they
/// assert whole regions and move the clock), whose every log line — silo and gateway, at every
/// level — is kept in <see cref="Logs"/>, so a test can search them for the tipster.
/// </summary>
public sealed class TipCluster : IAsyncLifetime
{
    private WebApplication? _gateway;

    public FakeTimeProvider Time { get; } = new(ClusterFixture.Start);

    public LogCapture Logs { get; } = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public Uri JsonAddress { get; private set; } = null!;

    public DateTimeOffset Now => Time.GetUtcNow();

    public CallInvoker As(string role, string region) => Channel.WithToken(TestTokens.Mint(role, region, $"{role}-{region}"));

    public TipService.TipServiceClient Tips(string role, string region) => new(As(role, region));

    public async Task InitializeAsync()
    {
        Cluster = await TestClusters.StartAsync(new TestClusterSettings
        {
            Time = Time,
            Silo = silo => silo.Services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs)),
        });

        ListenOptions? grpc = null, json = null;
        var web = WebApplication.CreateSlimBuilder();
        web.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs);
        web.Configuration.AddInMemoryCollection(TestTokens.Settings);
        web.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, l => (grpc = l).Protocols = HttpProtocols.Http2);
            k.Listen(IPAddress.Loopback, 0, l => (json = l).Protocols = HttpProtocols.Http1);
        });
        web.Services.AddSingleton<IGrainFactory>(Cluster.Client);
        web.Services.AddHazardGridGateway();
        _gateway = web.Build();
        _gateway.MapHazardGridGateway();
        await _gateway.StartAsync();
        Channel = GrpcChannel.ForAddress($"http://{grpc!.IPEndPoint}");
        JsonAddress = new Uri($"http://{json!.IPEndPoint}");
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
}

/// <summary>Keeps every log line written through it: the formatted message, its structured
/// arguments, scopes aside, and the exception with its inner ones.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var arguments = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{arguments}] {exception}");
        }
    }
}
