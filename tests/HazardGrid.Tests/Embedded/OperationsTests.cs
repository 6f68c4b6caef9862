using System.Net;
using System.Net.Http.Headers;
using System.Text;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Embedded;

/// <summary>What operators reach over HTTP on a running service: probes, metrics, the dashboard behind a password.</summary>
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
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };

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

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/dashboard/")).StatusCode);
        var wrong = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("operator:guess")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        var right = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        right.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("operator:s3cret")));
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(right)).StatusCode);
    }

    [Fact]
    public async Task A_production_silo_refuses_to_start_with_an_open_dashboard()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloProcess.StartAsync(_data,
            "--HazardGrid:Mode=PostgreSql", "--ConnectionStrings:HazardGrid=Host=127.0.0.1;Port=1;Username=nobody", "--HazardGrid:Dashboard=true"));
        Assert.Contains("the dashboard needs a password", ex.Message);
    }
}
