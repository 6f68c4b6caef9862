using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.GrpcApi;

/// <summary>
/// A grain keeps the answers of its latest 256 writes. A retry older than that cannot be answered
/// again; it must be refused as too old, never applied a second time nor mistaken for another error.
/// </summary>
public sealed class RequestWindowTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private const int Window = 256;
    private readonly ApiDriver _api = new(fixture);

    [Fact]
    public async Task A_retry_older_than_the_remembered_window_is_refused_as_too_old_and_changes_nothing()
    {
        var town = TestData.TownsOf("370406", 4)[3];
        var enterprise = await _api.Register(TestData.NewEnterprise(town));
        var finding = ApiDriver.Finding(ReportChannel.Inspection, Sector.Chemicals, "HG-WINDOW", "储罐区", ClusterFixture.Start.AddDays(-1));
        var reported = await _api.Report(enterprise.CreditCode, finding, "window-report");
        var name = reported.Hazard.Name;
        await _api.Start(name, fixture.Now.AddDays(30), "window-start");

        // Progress may repeat the same percentage: Window further writes push the first two out.
        for (var i = 0; i < Window; i++)
        {
            await _api.Progress(name, 10);
        }

        var before = await _api.Get(name);
        var startAgain = await ApiDriver.Refusal(() => _api.Start(name, fixture.Now.AddDays(30), "window-start"));
        var reportAgain = await ApiDriver.Refusal(() => _api.Report(enterprise.CreditCode, finding, "window-report"));

        Assert.Equal((StatusCode.FailedPrecondition, "request_id"), (startAgain.Code, startAgain.Field));
        Assert.Contains("no longer kept", startAgain.Message);
        Assert.Equal((StatusCode.FailedPrecondition, "request_id"), (reportAgain.Code, reportAgain.Field));
        Assert.Equal(before, await _api.Get(name));

        // A write still inside the window answers as before.
        var last = await _api.Progress(name, 20, "window-last");
        Assert.Equal(last, await _api.Progress(name, 20, "window-last"));
    }
}
