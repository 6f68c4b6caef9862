using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Notices;

/// <summary>Without a delivery webhook (the default) notices are recorded but never sent: they
/// carry no delivery record, and a receipt for one is refused.</summary>
[Collection(SharedCluster.Name)]
public sealed class NoticesWithoutDeliveryTests(ClusterFixture fixture)
{
    private readonly ApiDriver _api = new(fixture);

    [Fact]
    public async Task Notices_made_without_a_webhook_have_no_delivery_and_take_no_receipt()
    {
        var enterprise = await _api.Register(TestData.NewEnterprise(TestData.TownsOf("370402", 3)[2]));
        var hazard = (await _api.Report(enterprise.CreditCode, ApiDriver.Finding(ReportChannel.SelfReport, Sector.Chemicals, "HG-QUIET", "罐区", ClusterFixture.Start.AddDays(-1)))).Hazard;
        var notices = (await fixture.Enterprises.ListNotificationsAsync(new ListNotificationsRequest { Parent = enterprise.Name })).Notifications;
        Assert.Equal(2, notices.Count);
        Assert.All(notices, n => Assert.Null(n.Delivery));

        var (code, field, _) = await ApiDriver.Refusal(() => fixture.Enterprises.RecordNoticeReceiptAsync(new RecordNoticeReceiptRequest
        {
            Hazard = hazard.Name,
            NoticeId = notices[0].Id,
            Outcome = ReceiptOutcome.Delivered,
            EventTime = Timestamp.FromDateTimeOffset(fixture.Now),
            ReceiptId = "r-1",
        }).ResponseAsync);
        Assert.Equal((StatusCode.FailedPrecondition, "notice_id"), (code, field));
    }
}
