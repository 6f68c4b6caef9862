using System.Net;
using System.Net.Http.Headers;
using System.Text;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Embedded;

/// <summary>What operators reach over HTTP on a running service: probes and metrics (anonymous), and the
/// dashboard, for operators only in every mode: an operator token's sign-in, or the Basic password.</summary>
public sealed class OperationsTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "hazardgrid-ops-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task Probes_metrics_and_a_password_protected_dashboard_are_served()
    {
        var httpPort = SiloProcess.FreePort();
        await using var silo = await SiloProcess.StartAsync(_data,
            $"--HazardGrid:Endpoints:HttpPort={httpPort}", "--HazardGrid:Dashboard=true", "--HazardGrid:Operations:DashboardPassword=s3cret");
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);

        // A write, so the project's own counters have something to show.
        var (channel, invoker) = silo.Connect("ops-test");
        using var _ = channel;
        await new EnterpriseService.EnterpriseServiceClient(invoker).RegisterEnterpriseAsync(new RegisterEnterpriseRequest
        {
            Enterprise = TestData.NewEnterprise(TestData.TownsOf("370406", 1)[0]), RequestId = "ops-1",
        });
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("hazardgrid_writes_total", metrics);
        Assert.Contains("kind=\"enterprise\"", metrics);
        Assert.Contains("orleans_", metrics);

        await AssertAnonymousDashboardRefused(http);
        var wrong = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("operator:guess")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        var right = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        right.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("operator:s3cret")));
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(right)).StatusCode);
    }

    [Fact]
    public async Task The_embedded_dashboard_opens_only_to_an_operator_signed_in_with_a_token()
    {
        var httpPort = SiloProcess.FreePort();
        await using var silo = await SiloProcess.StartAsync(_data, $"--HazardGrid:Endpoints:HttpPort={httpPort}", "--HazardGrid:Dashboard=true");
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies }) { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };

        await AssertAnonymousDashboardRefused(http);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/login")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await SignIn(http, "not-a-token")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignIn(http, TestTokens.Mint("operator", issuedAt: DateTimeOffset.UtcNow.AddDays(-2)))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SignIn(http, TestTokens.Mint("supervisor"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SignIn(http, TestTokens.Mint("system"))).StatusCode);
        await AssertAnonymousDashboardRefused(http);

        var signedIn = await SignIn(http, TestTokens.Mint("operator", subject: "duty-operator"));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/dashboard/")).StatusCode);
    }

    [Fact]
    public async Task A_production_silo_refuses_to_start_with_an_open_dashboard()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloProcess.StartAsync(_data,
            "--HazardGrid:Mode=PostgreSql", "--ConnectionStrings:HazardGrid=Host=127.0.0.1;Port=1;Username=nobody", "--HazardGrid:Dashboard=true"));
        Assert.Contains("the dashboard needs a password", ex.Message);
    }

    [Fact]
    public async Task A_production_silo_refuses_the_anonymous_dashboard_and_signs_operators_in()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var database = await postgres.CreateDatabaseAsync();
        var httpPort = SiloProcess.FreePort();
        await using var silo = await SiloProcess.StartAsync(string.Empty, "--HazardGrid:Mode=PostgreSql", $"--ConnectionStrings:HazardGrid={database}",
            $"--HazardGrid:Endpoints:HttpPort={httpPort}", "--HazardGrid:Dashboard=true", "--HazardGrid:Operations:DashboardPassword=s3cret");
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };

        await AssertAnonymousDashboardRefused(http);
        Assert.Equal(HttpStatusCode.Forbidden, (await SignIn(http, TestTokens.Mint("supervisor"))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await SignIn(http, TestTokens.Mint("operator"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/dashboard/")).StatusCode);
    }

    /// <summary>Neither the page nor its data API open without a session: the browser is sent to the sign-in.</summary>
    private static async Task AssertAnonymousDashboardRefused(HttpClient http)
    {
        foreach (var path in new[] { "/dashboard/", "/dashboard/DashboardCounters" })
        {
            var response = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }
    }

    private static Task<HttpResponseMessage> SignIn(HttpClient http, string token) =>
        http.PostAsync("/login", new FormUrlEncodedContent([new("token", token)]));
}
