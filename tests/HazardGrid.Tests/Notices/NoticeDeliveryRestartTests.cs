using System.Net;
using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Hazards;
using HazardGrid.Notifications;
using HazardGrid.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using Xunit;

namespace HazardGrid.Tests.Notices;

/// <summary>
/// An acknowledged notice is sent even if the service stops before the gateway takes it: the
/// hazard's stored notice is the outbox, and the town's outbox, woken at start-up, wakes the
/// hazard. Real silos on a real SQLite file and a real HTTP receiver.
/// </summary>
public sealed class NoticeDeliveryRestartTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "hazardgrid-notices-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(ClusterFixture.Start);
    private readonly NoticeReceiver _receiver = new();

    public Task InitializeAsync() => _receiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task A_notice_pending_when_the_service_stops_is_sent_after_it_starts_again_without_touching_the_hazard()
    {
        var town = TestData.TownsOf("370404", 1)[0];
        var code = TestData.NewCreditCode(town);
        var gatewayUp = false;
        _receiver.Script(code, _ => gatewayUp ? HttpStatusCode.OK : HttpStatusCode.ServiceUnavailable);
        var principal = $"{code}/1/{NotificationKind.NewMajorHazard}/{RecipientRole.Principal}";

        await using (var first = await StartCluster())
        {
            var enterprise = first.Client.GetGrain<IEnterpriseGrain>(code);
            await enterprise.Register(
                new EnterpriseProfile(code, "通知重启测试化工", town, [Sector.Chemicals], new Person("张主任", "13800000001"), new Person("李控制", "13800000002"), null),
                new WriteRequest("reg", "test"));
            await enterprise.ReportHazard(new HazardReport(code, ReportChannel.SelfReport, Sector.Chemicals, "HG-RESTART", "罐区", "描述", ClusterFixture.Start.AddDays(-1)), new WriteRequest("report", "test"));
            await Eventually.Until(() => _receiver.CallsFor(principal).Count >= 2, "the gateway to refuse the principal's notice twice");
            await first.StopAllSilosAsync();
        }

        var refusedBefore = _receiver.CallsFor(principal).Count;
        gatewayUp = true;
        await using var second = await StartCluster();

        // Nothing calls the hazard: only the start-up wake-up of the town's outbox can send it.
        await Eventually.Until(() => _receiver.CallsFor(principal).Any(c => c.Answered == 200), "the principal's notice to be sent again after the restart", TimeSpan.FromSeconds(60));
        var accepted = _receiver.CallsFor(principal).Single(c => c.Answered == 200);
        Assert.Equal(principal, accepted.NoticeId);
        Assert.True(int.Parse(accepted.Attempt!, System.Globalization.CultureInfo.InvariantCulture) >= 2, $"attempt {accepted.Attempt} after {refusedBefore} refused calls");

        var notices = await Eventually.Until(() => second.Client.GetGrain<IMajorHazardGrain>($"{code}/1").GetNotifications(),
            n => n.All(x => x.Delivery?.State == DeliveryState.Accepted), "both notices to be recorded as accepted");
        Assert.All(notices, n => Assert.Null(n.Delivery!.DeliveredAt));
    }

    private Task<InProcessTestCluster> StartCluster() => TestClusters.StartAsync(new TestClusterSettings
    {
        ServiceId = "notice-restart-test",
        Storage = TestStorage.Sqlite(_data),
        Time = _time,
        Silo = silo => silo.Services.Configure<NoticeWebhookOptions>(o =>
        {
            NoticeWebhookFixture.Configure(o, _receiver.Url);
            o.MaxAttempts = 100; // still pending when the first cluster stops
        }),
    });
}
