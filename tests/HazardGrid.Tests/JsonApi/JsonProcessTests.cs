using System.Net;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.JsonApi;

/// <summary>HTTP/JSON from the real processes, on their HTTP/1.1 port: the one-command service and a standalone gateway.</summary>
public sealed class JsonProcessTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "hazardgrid-json-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task The_service_and_a_standalone_gateway_serve_the_api_as_json_on_their_http_port()
    {
        var siloHttp = SiloProcess.FreePort();
        var gatewayHttp = SiloProcess.FreePort();
        await using var silo = await SiloProcess.StartAsync(_data, $"--HazardGrid:Endpoints:HttpPort={siloHttp}");
        await using var gateway = await SiloProcess.StartGatewayAsync(silo.OrleansGatewayPort, $"--HazardGrid:Endpoints:HttpPort={gatewayHttp}");
        using var throughGateway = new JsonApiClient(new Uri($"http://127.0.0.1:{gatewayHttp}"), TestTokens.Mint("system", TestTokens.Province, "json-process-test"));
        using var throughSilo = new JsonApiClient(new Uri($"http://127.0.0.1:{siloHttp}"), TestTokens.Mint("system", TestTokens.Province, "json-process-test"));

        var town = TestData.TownsOf("370406", 1)[0];
        var code = TestData.NewCreditCode(town);
        var registered = await throughGateway.Post("/v1/enterprises", new
        {
            enterprise = new
            {
                creditCode = code, displayName = "JSON 进程测试企业", town, sectors = new[] { "SECTOR_CHEMICALS" },
                principal = new { name = "张主任" }, actualController = new { name = "李控制" },
            },
            requestId = "json-e-1",
        });
        Assert.True(registered.Status == HttpStatusCode.OK, registered.ToString());

        // Written through the gateway's JSON, read through the silo's JSON and the silo's gRPC.
        var read = await throughSilo.Get($"/v1/enterprises/{code}");
        Assert.True(read.Status == HttpStatusCode.OK, read.ToString());
        var (channel, invoker) = silo.Connect("json-process-test");
        using var _ = channel;
        Assert.Equal(
            await new EnterpriseService.EnterpriseServiceClient(invoker).GetEnterpriseAsync(new GetEnterpriseRequest { Name = $"enterprises/{code}" }),
            read.As<Api.V1.Enterprise>());

        foreach (var json in new[] { throughGateway, throughSilo })
        {
            var province = await json.Get("/v1/regions/37/status");
            Assert.True(province.Status == HttpStatusCode.OK, province.ToString());
            Assert.Equal("REGION_LEVEL_PROVINCE", province.Json.GetProperty("level").GetString());
        }
    }
}
