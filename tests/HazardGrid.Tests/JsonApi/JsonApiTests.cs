using System.Globalization;
using System.Net;
using System.Text.Json;
using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.JsonApi;

/// <summary>
/// The API as HTTP/JSON (gRPC JSON transcoding) on the gateway's HTTP/1.1 port: the routes of the
/// google.api.http annotations, the same answers and statuses as gRPC, the same request ids.
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class JsonApiTests(ClusterFixture fixture) : IDisposable
{
    private readonly JsonApiClient _json = new(fixture.JsonAddress);
    private readonly ApiDriver _grpc = new(fixture);

    public void Dispose() => _json.Dispose();

    /// <summary>An instant as proto3 JSON writes a Timestamp (RFC 3339, UTC).</summary>
    private static string Rfc3339(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static object EnterpriseBody(string creditCode, string town, string requestId) => new
    {
        enterprise = new
        {
            creditCode,
            displayName = $"JSON 测试企业 {creditCode[^6..]}",
            town,
            sectors = new[] { "SECTOR_CHEMICALS" },
            principal = new { name = "张主任", phone = "13800000001" },
            actualController = new { name = "李控制" },
        },
        requestId,
    };

    private object HazardBody(string criterion, string requestId) => new
    {
        hazard = new
        {
            channel = "REPORT_CHANNEL_INSPECTION",
            sector = "SECTOR_CHEMICALS",
            criterion,
            location = "罐区 3 号",
            description = "储罐未设置液位报警",
            foundTime = Rfc3339(fixture.Now.AddDays(-1)),
        },
        requestId,
    };

    /// <summary>A registered enterprise of a fresh credit code in <paramref name="town"/>, through JSON.</summary>
    private async Task<string> RegisterOverJson(string town)
    {
        var code = TestData.NewCreditCode(town);
        var registered = await _json.Post("/v1/enterprises", EnterpriseBody(code, town, TestData.NewRequestId()));
        Assert.True(registered.Status == HttpStatusCode.OK, registered.ToString());
        Assert.Equal($"enterprises/{code}", registered.Json.GetProperty("name").GetString());
        return code;
    }

    [Fact]
    public async Task A_hazard_reported_and_started_over_json_reads_the_same_over_grpc()
    {
        var town = TestData.TownsOf("370406", 3)[2];
        var code = await RegisterOverJson(town);

        var reported = await _json.Post($"/v1/enterprises/{code}/hazards", HazardBody("JSON-1", TestData.NewRequestId()));
        Assert.True(reported.Status == HttpStatusCode.OK, reported.ToString());
        Assert.True(reported.Json.GetProperty("created").GetBoolean());
        var name = reported.Json.GetProperty("hazard").GetProperty("name").GetString()!;
        Assert.StartsWith($"enterprises/{code}/hazards/", name);
        Assert.Equal("HAZARD_STATE_REGISTERED", reported.Json.GetProperty("hazard").GetProperty("state").GetString());
        // int64 travels as a JSON string (proto3 JSON), so no client loses precision on it.
        Assert.Equal(JsonValueKind.String, reported.Json.GetProperty("hazard").GetProperty("version").ValueKind);

        var started = await _json.Post($"/v1/{name}:startRectification", new
        {
            deadline = Rfc3339(fixture.Now.AddDays(30)),
            plan = "停产整改，加装液位报警",
            requestId = TestData.NewRequestId(),
        });
        Assert.True(started.Status == HttpStatusCode.OK, started.ToString());
        Assert.Equal("HAZARD_STATE_RECTIFYING", started.Json.GetProperty("state").GetString());

        var read = await _json.Get($"/v1/{name}");
        Assert.True(read.Status == HttpStatusCode.OK, read.ToString());
        Assert.Equal(await _grpc.Get(name), read.As<Hazard>());
        Assert.Equal(
            ["TRAIL_ACTION_REGISTERED", "TRAIL_ACTION_RECTIFICATION_STARTED"],
            read.Json.GetProperty("trail").EnumerateArray().Select(e => e.GetProperty("action").GetString()!).ToArray());

        var enterprise = await _json.Get($"/v1/enterprises/{code}");
        Assert.Equal(1, enterprise.Json.GetProperty("figures").GetProperty("rectifying").GetInt32());
        Assert.Equal(
            await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = $"enterprises/{code}" }),
            enterprise.As<Api.V1.Enterprise>());

        // A write is acknowledged after its town has counted it, so the town's status is current.
        var status = await _json.Get($"/v1/regions/{town}/status");
        Assert.True(status.Status == HttpStatusCode.OK, status.ToString());
        Assert.Equal(await _grpc.Region(town), status.As<Api.V1.RegionStatus>());
    }

    [Fact]
    public async Task A_json_write_retried_with_its_request_id_over_json_or_grpc_is_applied_once()
    {
        var town = TestData.TownsOf("370406", 3)[2];
        var code = await RegisterOverJson(town);
        var requestId = TestData.NewRequestId();

        var first = await _json.Post($"/v1/enterprises/{code}/hazards", HazardBody("JSON-RETRY", requestId));
        var again = await _json.Post($"/v1/enterprises/{code}/hazards", HazardBody("JSON-RETRY", requestId));
        Assert.True(first.Status == HttpStatusCode.OK, first.ToString());
        Assert.Equal(first.As<ReportHazardResponse>(), again.As<ReportHazardResponse>());

        // The same write through gRPC: the same content under the same id, so the first answer.
        var hazard = first.As<ReportHazardResponse>().Hazard;
        var overGrpc = await fixture.Hazards.ReportHazardAsync(new ReportHazardRequest
        {
            Parent = $"enterprises/{code}",
            Hazard = ToNewHazard(hazard),
            RequestId = requestId,
        });
        Assert.Equal(first.As<ReportHazardResponse>(), overGrpc);

        var read = await _grpc.Get(hazard.Name);
        Assert.Single(read.Trail);
        Assert.Equal(1, (await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = $"enterprises/{code}" })).Figures.Registered);

        // The same id with other content is refused, as over gRPC.
        var other = await _json.Post($"/v1/enterprises/{code}/hazards", HazardBody("JSON-OTHER", requestId));
        Assert.Equal(HttpStatusCode.BadRequest, other.Status);
        Assert.Equal((int)StatusCode.InvalidArgument, other.Json.GetProperty("code").GetInt32());
    }

    private static NewHazard ToNewHazard(Hazard hazard) => new()
    {
        Channel = hazard.Channels[0],
        Sector = hazard.Sector,
        Criterion = hazard.Criterion,
        Location = hazard.Location,
        Description = hazard.Description,
        FoundTime = hazard.FoundTime,
    };

    [Fact]
    public async Task A_malformed_request_answers_400_with_the_field_violation_gRPC_gives()
    {
        var code = await RegisterOverJson(TestData.TownsOf("370406", 3)[2]);
        var body = new
        {
            hazard = new { channel = "REPORT_CHANNEL_INSPECTION", sector = "SECTOR_CHEMICALS", criterion = "JSON-BAD", location = "罐区", description = "无发现时间" },
            requestId = TestData.NewRequestId(),
        };

        var refused = await _json.Post($"/v1/enterprises/{code}/hazards", body);

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        var json = refused.Json;
        Assert.Equal((int)StatusCode.InvalidArgument, json.GetProperty("code").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("message").GetString()));
        var detail = Assert.Single(json.GetProperty("details").EnumerateArray());
        Assert.Equal("type.googleapis.com/google.rpc.BadRequest", detail.GetProperty("@type").GetString());
        var violation = Assert.Single(detail.GetProperty("fieldViolations").EnumerateArray());
        Assert.Equal("hazard.found_time", violation.GetProperty("field").GetString());

        // The credential is checked the same way as over gRPC: none → 401 with UNAUTHENTICATED's status.
        using var anonymous = new HttpRequestMessage(HttpMethod.Post, $"/v1/enterprises/{code}/hazards")
        {
            Content = System.Net.Http.Json.JsonContent.Create(HazardBody("JSON-NOCRED", TestData.NewRequestId())),
        };
        using var withoutCredential = new HttpClient { BaseAddress = fixture.JsonAddress };
        var unauthenticated = await JsonAnswer.Read(await withoutCredential.SendAsync(anonymous));
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.Status);
        Assert.Equal((int)StatusCode.Unauthenticated, unauthenticated.Json.GetProperty("code").GetInt32());
        Assert.Equal("INVALID_CREDENTIAL", unauthenticated.Json.GetProperty("details")[0].GetProperty("reason").GetString());

        // Outside the caller's scope: 403 with PERMISSION_DENIED's status, and nothing reported.
        using var county = new JsonApiClient(fixture.JsonAddress, TestTokens.Mint("system", "370102", "jinan-lixia-system"));
        var denied = await county.Post($"/v1/enterprises/{code}/hazards", HazardBody("JSON-SCOPE", TestData.NewRequestId()));
        Assert.Equal(HttpStatusCode.Forbidden, denied.Status);
        Assert.Equal((int)StatusCode.PermissionDenied, denied.Json.GetProperty("code").GetInt32());
        Assert.Equal(0, (await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = $"enterprises/{code}" })).Figures.Open);
    }

    [Fact]
    public async Task A_missing_resource_answers_404_naming_it_and_a_refused_state_change_400()
    {
        var code = await RegisterOverJson(TestData.TownsOf("370406", 3)[2]);

        var missing = await _json.Get($"/v1/enterprises/{code}/hazards/99");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal((int)StatusCode.NotFound, missing.Json.GetProperty("code").GetInt32());
        var detail = Assert.Single(missing.Json.GetProperty("details").EnumerateArray());
        Assert.Equal("type.googleapis.com/google.rpc.ResourceInfo", detail.GetProperty("@type").GetString());
        Assert.Equal("name", detail.GetProperty("resourceName").GetString());

        var reported = await _json.Post($"/v1/enterprises/{code}/hazards", HazardBody("JSON-CLOSE", TestData.NewRequestId()));
        var name = reported.Json.GetProperty("hazard").GetProperty("name").GetString();
        var closed = await _json.Post($"/v1/{name}:close", new { requestId = TestData.NewRequestId() });
        Assert.Equal(HttpStatusCode.BadRequest, closed.Status);
        Assert.Equal((int)StatusCode.FailedPrecondition, closed.Json.GetProperty("code").GetInt32());
        Assert.Equal("type.googleapis.com/google.rpc.PreconditionFailure", closed.Json.GetProperty("details")[0].GetProperty("@type").GetString());
    }

    [Fact]
    public async Task Watching_a_region_over_json_streams_its_status_now_and_again_after_a_change()
    {
        var town = TestData.TownsOf("370406", 4)[3];
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await _json.Http.GetAsync($"/v1/regions/{town}/status:watch", HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var lines = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));

        // One JSON RegionStatus per line.
        var first = Google.Protobuf.JsonParser.Default.Parse<Api.V1.RegionStatus>(await lines.ReadLineAsync(cancel.Token) ?? "");
        Assert.Equal($"regions/{town}", first.Name);

        var code = await RegisterOverJson(town);
        await _json.Post($"/v1/enterprises/{code}/hazards", HazardBody("JSON-WATCH", TestData.NewRequestId()));

        // Other tests of the collection may write to the same town: read until the change shows.
        Api.V1.RegionStatus next;
        do
        {
            var line = await lines.ReadLineAsync(cancel.Token);
            Assert.False(string.IsNullOrWhiteSpace(line), "the watch ended without showing the report");
            next = Google.Protobuf.JsonParser.Default.Parse<Api.V1.RegionStatus>(line);
        }
        while (next.Figures.Registered <= first.Figures.Registered);

        Assert.Equal($"regions/{town}", next.Name);
    }

    [Fact]
    public async Task Every_rpc_has_an_http_route()
    {
        var unrouted = new[] { EnterpriseService.Descriptor, HazardService.Descriptor, RegionService.Descriptor }
            .SelectMany(s => s.Methods)
            .Where(m => m.GetOptions()?.GetExtension(Google.Api.AnnotationsExtensions.Http) is null)
            .Select(m => m.FullName)
            .ToList();
        Assert.Empty(unrouted);

        // And the list and batch routes answer (an empty batch is refused by the service itself,
        // which shows the request reached it).
        Assert.Equal(HttpStatusCode.OK, (await _json.Get($"/v1/regions/370406/watchList?pageSize=5")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _json.Get($"/v1/regions/370406/escalationEvents")).Status);
        var emptyBatch = await _json.Post("/v1/hazards:batchUpdate", new { updates = Array.Empty<object>() });
        Assert.Equal("updates", emptyBatch.Json.GetProperty("details")[0].GetProperty("fieldViolations")[0].GetProperty("field").GetString());
        var emptyRegister = await _json.Post("/v1/enterprises:batchRegister", new { requests = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.BadRequest, emptyRegister.Status);
    }

    [Fact]
    public async Task Lists_and_statistics_take_their_filters_and_period_from_the_query_string()
    {
        var town = TestData.TownsOf("370406", 3)[1];
        var code = await RegisterOverJson(town);
        var reported = await _json.Post($"/v1/enterprises/{code}/hazards", HazardBody("JSON-LIST", TestData.NewRequestId()));
        Assert.True(reported.Status == HttpStatusCode.OK, reported.ToString());
        var name = reported.Json.GetProperty("hazard").GetProperty("name").GetString();

        // The list follows the index a flush behind the acknowledged write.
        await Eventually.Holds(async () =>
        {
            var registered = await _json.Get($"/v1/enterprises/{code}/hazards?filter.states=HAZARD_STATE_REGISTERED&orderBy=HAZARD_ORDER_BY_DEADLINE&pageSize=10");
            Assert.True(registered.Status == HttpStatusCode.OK, registered.ToString());
            Assert.Equal(name, Assert.Single(registered.Json.GetProperty("hazards").EnumerateArray()).GetProperty("name").GetString());
        }, "the hazard in its enterprise's list");
        var closed = await _json.Get($"/v1/enterprises/{code}/hazards?filter.states=HAZARD_STATE_CLOSED");
        Assert.True(closed.Status == HttpStatusCode.OK, closed.ToString());
        Assert.False(closed.Json.TryGetProperty("hazards", out var none) && none.GetArrayLength() > 0, closed.ToString());

        var year = fixture.Now.Year.ToString(CultureInfo.InvariantCulture);
        var overJson = await _json.Get($"/v1/regions/{town}/statistics?period.year={year}");
        Assert.True(overJson.Status == HttpStatusCode.OK, overJson.ToString());
        var overGrpc = await fixture.Regions.GetRegionStatisticsAsync(new GetRegionStatisticsRequest { Name = $"regions/{town}", Period = new StatisticsPeriod { Year = fixture.Now.Year } });
        Assert.Equal(overGrpc.Figures.Found, overJson.As<RegionStatistics>().Figures.Found);
        Assert.True(overGrpc.Figures.Found >= 1);

        var badPeriod = await _json.Get($"/v1/regions/{town}/statistics?period.month.year={year}&period.month.month=13");
        Assert.Equal(HttpStatusCode.BadRequest, badPeriod.Status);
    }
}
