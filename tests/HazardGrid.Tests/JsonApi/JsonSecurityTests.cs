using System.Globalization;
using System.Net;
using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.JsonApi;

/// <summary>
/// The credential rules over HTTP/JSON, as curl meets them: the same refusals as over gRPC, as a
/// google.rpc.Status body with the HTTP status of the code (401, 403, 429), and nothing changed.
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class JsonSecurityTests(ClusterFixture fixture)
{
    public static TheoryData<string, string> Refused => new()
    {
        { "expired", TestTokens.Mint(issuedAt: DateTimeOffset.UtcNow.AddHours(-3), lifetime: TimeSpan.FromHours(1)) },
        { "unknown key", TestTokens.Mint(key: new() { Id = "stranger", Key = Convert.ToBase64String(new byte[32]) }) },
        { "another audience", TestTokens.Mint(audience: "someone-else") },
        { "malformed", "not.a.token" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_refused_credential_answers_401_with_unauthenticated(string why, string token)
    {
        using var json = new JsonApiClient(fixture.JsonAddress, token);

        var answer = await json.Get("/v1/regions/37/status");

        Assert.True(answer.Status == HttpStatusCode.Unauthorized, $"{why}: {answer}");
        Assert.Equal((int)StatusCode.Unauthenticated, answer.Json.GetProperty("code").GetInt32());
        Assert.Equal("INVALID_CREDENTIAL", answer.Json.GetProperty("details")[0].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_supervisor_cannot_report_and_an_operator_cannot_read_and_nothing_changes()
    {
        var api = new ApiDriver(fixture);
        var enterprise = await api.Register(TestData.NewEnterprise(TestData.TownsOf("370406", 2)[1]));
        using var supervisor = new JsonApiClient(fixture.JsonAddress, TestTokens.Mint("supervisor", TestTokens.Province, "json-supervisor"));
        using var operatorCredential = new JsonApiClient(fixture.JsonAddress, TestTokens.Mint("operator", TestTokens.Province, "json-operator"));

        var report = await supervisor.Post($"/v1/{enterprise.Name}/hazards", new
        {
            hazard = new
            {
                channel = "REPORT_CHANNEL_INSPECTION", sector = "SECTOR_CHEMICALS", criterion = "JSON-SUP", location = "罐区",
                description = "督查发现", foundTime = fixture.Now.AddDays(-1).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture),
            },
            requestId = TestData.NewRequestId(),
        });
        var read = await operatorCredential.Get($"/v1/{enterprise.Name}");
        var statistics = await operatorCredential.Get("/v1/regions/37/statistics?period.year=" + fixture.Now.Year.ToString(CultureInfo.InvariantCulture));

        foreach (var refused in new[] { report, read, statistics })
        {
            Assert.True(refused.Status == HttpStatusCode.Forbidden, refused.ToString());
            Assert.Equal((int)StatusCode.PermissionDenied, refused.Json.GetProperty("code").GetInt32());
            Assert.Equal("CALLER_NOT_ALLOWED", refused.Json.GetProperty("details")[0].GetProperty("reason").GetString());
        }

        Assert.Equal(0, (await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = enterprise.Name })).Figures.Registered);
    }

    [Fact]
    public async Task Calls_above_the_rate_limit_answer_429_with_resource_exhausted_and_a_retry_delay()
    {
        var gateway = await fixture.StartGatewayAsync(
            new Dictionary<string, string?> { ["HazardGrid:Limits:RequestsPerSecond"] = "1", ["HazardGrid:Limits:Burst"] = "2" },
            http1: true);
        try
        {
            using var json = new JsonApiClient(new Uri(gateway.Urls.First()), TestTokens.Mint(subject: "eager-json-system"));
            var answers = new List<JsonAnswer>();
            for (var i = 0; i < 5; i++)
            {
                answers.Add(await json.Get("/v1/regions/37/status"));
            }

            var limited = answers.Where(a => a.Status == HttpStatusCode.TooManyRequests).ToList();
            Assert.NotEmpty(limited);
            Assert.All(answers.Except(limited), a => Assert.Equal(HttpStatusCode.OK, a.Status));
            Assert.Equal((int)StatusCode.ResourceExhausted, limited[0].Json.GetProperty("code").GetInt32());
            Assert.Equal("type.googleapis.com/google.rpc.RetryInfo", limited[0].Json.GetProperty("details")[0].GetProperty("@type").GetString());
        }
        finally
        {
            await gateway.StopAsync();
            await gateway.DisposeAsync();
        }
    }
}
