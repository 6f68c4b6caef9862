using System.Collections.Immutable;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using HazardGrid.Api.V1;
using HazardFilter = HazardGrid.Queries.HazardFilter;
using HazardGrid.Rollups;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Disclosure;

/// <summary>
/// The public disclosure feed (公开) as a government website meets it: no credential at all, JSON
/// and Atom of a region's listed major hazards, and nothing personal in either body.
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class PublicDisclosureTests(ClusterFixture fixture)
{
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";

    // A county no other test writes to, so the town's feed holds only this test's hazards.
    private const string County = "370811"; // 任城区
    private static readonly IReadOnlyList<string> Towns = TestData.TownsOf(County, 2);

    /// <summary>An HTTP client with no Authorization header and no cookie: what the public has.</summary>
    private HttpClient Anonymous() => new() { BaseAddress = fixture.JsonAddress, Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task The_feed_lists_open_and_recently_closed_hazards_of_the_region_without_a_credential_and_without_personal_data()
    {
        var api = new ApiDriver(fixture);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var enterprise = await api.Register(TestData.NewEnterprise(Towns[0]));
        var neighbour = await api.Register(TestData.NewEnterprise(Towns[1]));
        var description = $"值班员孙某某发现罐区泄漏-{tag}";
        var criterion = $"DISC-CRIT-{tag}";
        var location = $"周某某负责的仓库-{tag}";

        var reports = 0;
        async Task<string> Report(Api.V1.Enterprise e)
        {
            // Each finding its own criterion and location: the same finding twice is one hazard.
            reports++;
            var finding = ApiDriver.Finding(ReportChannel.Inspection, Sector.Chemicals, $"{criterion}-{reports}", $"{location}-{reports}", fixture.Now.AddDays(-2));
            finding.Description = description;
            return (await api.Report(e.CreditCode, finding)).Hazard.Name;
        }

        var rectifying = await Report(enterprise);
        await api.Start(rectifying, fixture.Now.AddDays(30));
        var closed = await Report(enterprise);
        await api.Start(closed, fixture.Now.AddDays(30));
        await api.Submit(closed);
        await api.Close(closed, [ConfirmingParty.Regulator, ConfirmingParty.Expert, ConfirmingParty.Principal]);
        var withdrawn = await Report(enterprise);
        await api.Withdraw(withdrawn, invalid: false);
        var elsewhere = await Report(neighbour);
        await api.Start(elsewhere, fixture.Now.AddDays(30));

        using var http = Anonymous();
        var path = $"/public/v1/regions/{Towns[0]}/hazards";

        // The list index is eventually consistent: wait until the feed shows both listed hazards, in their states.
        var (json, jsonBytes) = await Eventually.Until(
            async () =>
            {
                using var response = await http.GetAsync(path + ".json");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
                Assert.Contains("max-age=60", response.Headers.CacheControl?.ToString());
                var bytes = await response.Content.ReadAsByteArrayAsync();
                return (JsonDocument.Parse(bytes).RootElement.Clone(), bytes);
            },
            j => States(j.Item1).GetValueOrDefault(rectifying) == "Rectifying" && States(j.Item1).GetValueOrDefault(closed) == "Closed",
            "the rectifying and the closed hazard in the feed");

        Assert.Equal(new[] { closed, rectifying }.Order(StringComparer.Ordinal), States(json).Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(withdrawn, States(json).Keys);
        Assert.DoesNotContain(elsewhere, States(json).Keys);
        var closedItem = json.GetProperty("hazards").EnumerateArray().Single(h => h.GetProperty("id").GetString() == closed);
        Assert.Equal(JsonValueKind.String, closedItem.GetProperty("closeTime").ValueKind);
        Assert.Equal(Towns[0], closedItem.GetProperty("town").GetProperty("code").GetString());
        Assert.Equal(TestData.Regions.Get(Towns[0]).Name, closedItem.GetProperty("town").GetProperty("name").GetString());
        Assert.Equal(enterprise.DisplayName, closedItem.GetProperty("enterprise").GetString());

        using var atomResponse = await http.GetAsync(path + ".atom");
        Assert.Equal(HttpStatusCode.OK, atomResponse.StatusCode);
        Assert.Equal("application/atom+xml", atomResponse.Content.Headers.ContentType?.MediaType);
        var atomBytes = await atomResponse.Content.ReadAsByteArrayAsync();
        var feed = XDocument.Parse(Encoding.UTF8.GetString(atomBytes)).Root!;
        Assert.Equal(Atom + "feed", feed.Name);
        Assert.False(string.IsNullOrEmpty(feed.Element(Atom + "id")?.Value));
        Assert.Contains("重大事故隐患公开", feed.Element(Atom + "title")?.Value);
        Assert.True(DateTimeOffset.TryParse(feed.Element(Atom + "updated")?.Value, out _));
        var entries = feed.Elements(Atom + "entry").ToList();
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e =>
        {
            Assert.NotNull(e.Element(Atom + "id"));
            Assert.NotNull(e.Element(Atom + "title"));
            Assert.NotNull(e.Element(Atom + "updated"));
            Assert.EndsWith(path + ".json", e.Element(Atom + "link")?.Attribute("href")?.Value);
        });
        Assert.Equal(
            new[] { closed, rectifying }.Select(n => "urn:hazardgrid:" + n.Replace('/', ':')).Order(StringComparer.Ordinal),
            entries.Select(e => e.Element(Atom + "id")!.Value).Order(StringComparer.Ordinal));

        // Nothing personal and no free text typed by people, in either body, as bytes.
        string[] secrets =
        [
            enterprise.Principal.Name, enterprise.Principal.Phone, enterprise.ActualController.Name, enterprise.ActualController.Phone,
            enterprise.SafetyDirector.Name, "赵监管", "钱专家", description, criterion, location, "停产整改", "整改完成",
        ];
        foreach (var (body, what) in new[] { (jsonBytes, "JSON"), (atomBytes, "Atom") })
        {
            foreach (var secret in secrets)
            {
                Assert.True(IndexOf(body, Encoding.UTF8.GetBytes(secret)) < 0, $"the {what} feed carries '{secret}'");
            }
        }
    }

    [Fact]
    public async Task An_unknown_region_is_404_with_a_reason_and_a_bad_page_token_is_400()
    {
        using var http = Anonymous();

        using var unknown = await http.GetAsync("/public/v1/regions/99/hazards.json");
        using var badToken = await http.GetAsync($"/public/v1/regions/{Towns[0]}/hazards.atom?page_token=not-a-token");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no region with division code '99'", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, badToken.StatusCode);
    }

    [Fact]
    public async Task The_feeds_links_never_come_from_the_requests_Host_header()
    {
        // Answers are cacheable by shared caches: a link built from a forged Host would reach every
        // reader of that cache. Without a configured PublicBaseUrl the links are paths from the root.
        using var http = Anonymous();
        foreach (var kind in new[] { "json", "atom" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/public/v1/regions/{County}/hazards.{kind}");
            request.Headers.Host = "evil.example";
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("evil.example", body, StringComparison.OrdinalIgnoreCase);
            Assert.Contains($"\"/public/v1/regions/{County}/hazards.atom\"", body);
        }
    }

    [Fact]
    public async Task The_rest_of_the_API_still_refuses_a_request_without_a_credential_and_the_feed_is_read_only()
    {
        using var http = Anonymous();

        using var status = await http.GetAsync("/v1/regions/37/status");
        using var list = await http.GetAsync($"/v1/regions/{Towns[0]}/hazards");
        using var post = await http.PostAsync($"/public/v1/regions/{Towns[0]}/hazards.json", new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, status.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task Requests_above_the_per_address_rate_are_429()
    {
        var gateway = await fixture.StartGatewayAsync(new Dictionary<string, string?>
        {
            ["HazardGrid:Disclosure:RequestsPerSecond"] = "1",
            ["HazardGrid:Disclosure:Burst"] = "2",
        }, http1: true);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(gateway.Urls.First()) };
            var answers = new List<HttpStatusCode>();
            for (var i = 0; i < 5; i++)
            {
                using var response = await http.GetAsync("/public/v1/regions/99/hazards.json");
                answers.Add(response.StatusCode);
            }

            Assert.Contains(HttpStatusCode.TooManyRequests, answers);
            Assert.Equal(HttpStatusCode.NotFound, answers[0]);
        }
        finally
        {
            await gateway.StopAsync();
            await gateway.DisposeAsync();
        }
    }

    [Fact]
    public void A_closed_hazard_passes_the_closure_window_only_when_it_closed_within_it()
    {
        var now = new DateTimeOffset(2025, 6, 10, 9, 0, 0, TimeSpan.FromHours(8));
        var filter = HazardFilter.All with { ClosedWithin = TimeSpan.FromDays(90) };
        HazardFacts Facts(Hazards.HazardStatus status, DateTimeOffset? closedAt) => new(
            "h", 1, "c", "t", Enterprises.Sector.Chemicals, status, now.AddDays(-200), null, closedAt, Escalations.SupervisionLevel.County, ImmutableArray<Escalations.EscalationRecord>.Empty);

        Assert.True(filter.Matches(Facts(Hazards.HazardStatus.Closed, now.AddDays(-89)), now));
        Assert.False(filter.Matches(Facts(Hazards.HazardStatus.Closed, now.AddDays(-91)), now));
        Assert.True(filter.Matches(Facts(Hazards.HazardStatus.Rectifying, null), now));
        Assert.True(HazardFilter.All.Matches(Facts(Hazards.HazardStatus.Closed, now.AddDays(-400)), now));
    }

    private static Dictionary<string, string> States(JsonElement feed) =>
        feed.GetProperty("hazards").EnumerateArray().ToDictionary(h => h.GetProperty("id").GetString()!, h => h.GetProperty("state").GetString()!);

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
