using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Simulator;
using HazardGrid.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace HazardGrid.Tests.Simulation;

/// <summary>
/// The simulator's retries are gRPC's own: against a service that answers UNAVAILABLE to the first
/// attempts of every call, a load still completes, each retry re-sends the very same request (same
/// request ids, same bytes), and the run counts the retries it took.
/// </summary>
public sealed class SimulatorRetryTests
{
    [Fact]
    public async Task Calls_answered_unavailable_are_retried_by_the_channel_with_the_same_request()
    {
        var flaky = new FlakyService(failuresPerRequest: 2);
        var web = WebApplication.CreateSlimBuilder();
        web.Logging.SetMinimumLevel(LogLevel.Warning);
        web.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        web.Services.AddGrpc();
        web.Services.AddSingleton(flaky);
        await using var app = web.Build();
        app.MapGrpcService<FlakyEnterprises>();
        app.MapGrpcService<FlakyHazards>();
        await app.StartAsync();

        using var channel = LoadRunner.CreateChannel(app.Urls.First());
        var model = ProvinceModel.Generate(9, 150, 20, DateTimeOffset.UtcNow);
        var runner = new LoadRunner(channel.CreateCallInvoker(), model, concurrency: 4, anchor: DateTimeOffset.UtcNow, SimulatedSystems.FromKey(TestTokens.SigningKey()));
        await runner.LoadAsync();

        Assert.NotEmpty(flaky.Attempts);
        Assert.All(flaky.Attempts, a => Assert.True(a.Value.Count == 3 && a.Value.Distinct().Count() == 1, $"{a.Key}: {a.Value.Count} attempts, {a.Value.Distinct().Count()} distinct"));
        Assert.Equal(2L * flaky.Attempts.Count, runner.Stats.Retries);
        Assert.Equal(3L * flaky.Attempts.Count, runner.Stats.Calls);
    }

    /// <summary>Fails the first attempts of each request (keyed by its first request id) with UNAVAILABLE and records every attempt's bytes.</summary>
    public sealed class FlakyService(int failuresPerRequest)
    {
        public ConcurrentDictionary<string, ConcurrentQueue<string>> Attempts { get; } = new();

        public void Attempt(string key, IMessage request)
        {
            var attempts = Attempts.GetOrAdd(key, _ => new ConcurrentQueue<string>());
            attempts.Enqueue(request.ToByteString().ToBase64());
            if (attempts.Count <= failuresPerRequest)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "try again"));
            }
        }
    }

    private sealed class FlakyEnterprises(FlakyService flaky) : EnterpriseService.EnterpriseServiceBase
    {
        public override Task<BatchRegisterEnterprisesResponse> BatchRegisterEnterprises(BatchRegisterEnterprisesRequest request, ServerCallContext context)
        {
            flaky.Attempt(request.Requests[0].RequestId, request);
            var response = new BatchRegisterEnterprisesResponse();
            response.Enterprises.AddRange(request.Requests.Select(r => r.Enterprise));
            return Task.FromResult(response);
        }
    }

    private sealed class FlakyHazards(FlakyService flaky) : HazardService.HazardServiceBase
    {
        public override Task<ReportHazardResponse> ReportHazard(ReportHazardRequest request, ServerCallContext context)
        {
            flaky.Attempt(request.RequestId, request);
            return Task.FromResult(new ReportHazardResponse
            {
                Created = true,
                Hazard = new Hazard { Name = $"{request.Parent}/hazards/{request.RequestId.GetHashCode(StringComparison.Ordinal):x8}", RegisterTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow) },
            });
        }

        public override Task<BatchUpdateHazardsResponse> BatchUpdateHazards(BatchUpdateHazardsRequest request, ServerCallContext context)
        {
            flaky.Attempt("batch:" + request.Updates[0].ToString(), request);
            return Task.FromResult(new BatchUpdateHazardsResponse());
        }
    }
}
