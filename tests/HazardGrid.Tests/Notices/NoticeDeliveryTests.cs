using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Notices;

/// <summary>
/// Proof of notification over the API: a cluster configured with the signed webhook sends each
/// new notice to a real HTTP receiver, retries failures with the same idempotency key, dead-letters
/// what never gets through, and records the gateway's receipts on the hazard, where
/// ListNotifications shows them.
/// </summary>
public sealed class NoticeDeliveryTests(NoticeWebhookFixture webhook) : IClassFixture<NoticeWebhookFixture>
{
    private static readonly string s_town = TestData.TownsOf("370402", 2)[1];
    private readonly ClusterFixture _fixture = webhook.Cluster;
    private readonly ApiDriver _api = new(webhook.Cluster);

    [Fact]
    public async Task A_notice_the_gateway_refuses_twice_is_retried_under_the_same_key_then_accepted()
    {
        var enterprise = await _api.Register(TestData.NewEnterprise(s_town));
        webhook.Receiver.Script(enterprise.CreditCode, call => call <= 2 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.Accepted);
        var hazard = await Report(enterprise);

        var notices = await Eventually.Until(() => Notices(enterprise), n => n.Count == 2 && n.All(x => x.Delivery?.State == DeliveryState.Accepted),
            "both notices of the new hazard to be accepted by the gateway");
        foreach (var notice in notices)
        {
            Assert.Equal(hazard.Name, notice.Hazard);
            Assert.Equal(3, notice.Delivery.Attempts);
            Assert.Equal("HTTP 503 Service Unavailable", notice.Delivery.LastError);
            Assert.NotNull(notice.Delivery.AcceptTime);
            Assert.Equal(notice.Delivery.LastAttemptTime, notice.Delivery.AcceptTime);
            Assert.Null(notice.Delivery.DeliveryTime);

            var calls = webhook.Receiver.CallsFor(notice.Id);
            Assert.Equal(["1", "2", "3"], calls.Select(c => c.Attempt));
            Assert.Equal([503, 503, 202], calls.Select(c => c.Answered));
            Assert.All(calls, c => Assert.Equal(calls[0].Body, c.Body)); // the same message, to be sent once
            foreach (var call in calls)
            {
                Assert.Equal("application/json; charset=utf-8", call.ContentType);
                Assert.Equal(ExpectedSignature(call.Timestamp!, call.Body), call.Signature);
                Assert.InRange(long.Parse(call.Timestamp!, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            }

            using var body = JsonDocument.Parse(calls[0].Body);
            var json = body.RootElement;
            Assert.Equal(notice.Id, json.GetProperty("id").GetString());
            Assert.Equal(hazard.Name, json.GetProperty("hazard").GetString());
            Assert.Equal("NEW_MAJOR_HAZARD", json.GetProperty("kind").GetString());
            Assert.Equal(notice.RecipientName, json.GetProperty("recipient_name").GetString());
            Assert.Equal(notice.RecipientPhone, json.GetProperty("recipient_phone").GetString());
            Assert.Equal(notice.Message, json.GetProperty("message").GetString());
            Assert.Equal(notice.CreateTime.ToDateTimeOffset(), json.GetProperty("create_time").GetDateTimeOffset());
        }

        var principal = Assert.Single(notices, n => n.RecipientRole == RecipientRole.Principal);
        Assert.Equal(enterprise.Principal.Phone, principal.RecipientPhone);
        Assert.Equal("PRINCIPAL", JsonDocument.Parse(webhook.Receiver.CallsFor(principal.Id)[0].Body).RootElement.GetProperty("recipient_role").GetString());

        // A signature made with another secret does not verify: the check above can fail.
        var first = webhook.Receiver.CallsFor(principal.Id)[0];
        Assert.NotEqual(ExpectedSignature(first.Timestamp!, first.Body, "another-secret-of-the-same-kind-0123456789"), first.Signature);
    }

    [Fact]
    public async Task A_notice_the_gateway_always_refuses_ends_undelivered_after_the_configured_attempts_with_the_last_error()
    {
        var enterprise = await _api.Register(TestData.NewEnterprise(s_town));
        webhook.Receiver.Script(enterprise.CreditCode, call => call == NoticeWebhookFixture.MaxAttempts ? HttpStatusCode.BadGateway : HttpStatusCode.InternalServerError);
        await Report(enterprise);

        var notices = await Eventually.Until(() => Notices(enterprise), n => n.Count == 2 && n.All(x => x.Delivery?.State == DeliveryState.Undelivered),
            "both notices to be dead-lettered");
        foreach (var notice in notices)
        {
            Assert.Equal(NoticeWebhookFixture.MaxAttempts, notice.Delivery.Attempts);
            Assert.Equal("HTTP 502 Bad Gateway", notice.Delivery.LastError);
            Assert.Null(notice.Delivery.AcceptTime);
            Assert.NotNull(notice.Delivery.LastAttemptTime);
            Assert.Equal(NoticeWebhookFixture.MaxAttempts, webhook.Receiver.CallsFor(notice.Id).Count);
        }
    }

    [Fact]
    public async Task A_gateway_receipt_shows_on_the_hazard_and_the_same_receipt_again_changes_nothing()
    {
        var enterprise = await _api.Register(TestData.NewEnterprise(s_town));
        var hazard = await Report(enterprise);
        var principal = (await Eventually.Until(() => Notices(enterprise), n => n.Count == 2 && n.All(x => x.Delivery?.State == DeliveryState.Accepted),
            "the notices to be accepted")).Single(n => n.RecipientRole == RecipientRole.Principal);

        var deliveredAt = _fixture.Now.AddSeconds(-30);
        var receipt = new RecordNoticeReceiptRequest
        {
            Hazard = hazard.Name,
            NoticeId = principal.Id,
            Outcome = ReceiptOutcome.Delivered,
            EventTime = Timestamp.FromDateTimeOffset(deliveredAt),
            ReceiptId = "sms-receipt-0001",
        };
        var answered = await _fixture.Enterprises.RecordNoticeReceiptAsync(receipt);
        Assert.Equal(DeliveryState.Delivered, answered.Delivery.State);
        Assert.Equal(deliveredAt, answered.Delivery.DeliveryTime.ToDateTimeOffset());
        Assert.Equal("sms-receipt-0001", answered.Delivery.ReceiptId);
        Assert.Equal(principal.Delivery.AcceptTime, answered.Delivery.AcceptTime);

        // "Was the principal told, and when": ListNotifications says so.
        var listed = (await Notices(enterprise)).Single(n => n.Id == principal.Id);
        Assert.Equal(answered, listed);
        Assert.Equal(DeliveryState.Accepted, (await Notices(enterprise)).Single(n => n.RecipientRole == RecipientRole.ActualController).Delivery.State);

        // The gateway sends its receipt again: same answer, nothing changes.
        Assert.Equal(answered, await _fixture.Enterprises.RecordNoticeReceiptAsync(receipt));
        // Another receipt for a notice already delivered is refused.
        var (code, field, _) = await ApiDriver.Refusal(() => _fixture.Enterprises.RecordNoticeReceiptAsync(new RecordNoticeReceiptRequest(receipt) { ReceiptId = "sms-receipt-0002", Outcome = ReceiptOutcome.Failed }).ResponseAsync);
        Assert.Equal((StatusCode.FailedPrecondition, "receipt_id"), (code, field));
        Assert.Equal(listed, (await Notices(enterprise)).Single(n => n.Id == principal.Id));

        // A failure receipt dead-letters the other notice with the gateway's words.
        var controller = (await Notices(enterprise)).Single(n => n.RecipientRole == RecipientRole.ActualController);
        var failed = await _fixture.Enterprises.RecordNoticeReceiptAsync(new RecordNoticeReceiptRequest
        {
            Hazard = hazard.Name,
            NoticeId = controller.Id,
            Outcome = ReceiptOutcome.Failed,
            EventTime = Timestamp.FromDateTimeOffset(_fixture.Now),
            ReceiptId = "sms-receipt-0003",
            Detail = "MK:0001 空号",
        });
        Assert.Equal(DeliveryState.Undelivered, failed.Delivery.State);
        Assert.Equal("MK:0001 空号", failed.Delivery.LastError);
        Assert.Null(failed.Delivery.DeliveryTime);
    }

    [Fact]
    public async Task Bad_receipts_are_refused_with_the_field_and_change_nothing()
    {
        var enterprise = await _api.Register(TestData.NewEnterprise(s_town));
        var hazard = await Report(enterprise);
        var other = await Report(await _api.Register(TestData.NewEnterprise(s_town)));
        var before = await Eventually.Until(() => Notices(enterprise), n => n.Count == 2 && n.All(x => x.Delivery?.State == DeliveryState.Accepted), "the notices to be accepted");
        var notice = before[0];
        RecordNoticeReceiptRequest Good() => new()
        {
            Hazard = hazard.Name,
            NoticeId = notice.Id,
            Outcome = ReceiptOutcome.Delivered,
            EventTime = Timestamp.FromDateTimeOffset(_fixture.Now),
            ReceiptId = "bad-input-receipt",
        };

        var elsewhere = TestTokens.Mint("system", "370481", "another-county-system"); // 滕州市, not 市中区
        var supervisor = TestTokens.Mint("supervisor", TestTokens.Province, "a-supervisor");
        var cases = new (string Why, RecordNoticeReceiptRequest Request, string? Token, StatusCode Code, string Field)[]
        {
            ("no hazard", new(Good()) { Hazard = "" }, null, StatusCode.InvalidArgument, "hazard"),
            ("a malformed hazard", new(Good()) { Hazard = "enterprises/x/hazard/1" }, null, StatusCode.InvalidArgument, "hazard"),
            ("no notice id", new(Good()) { NoticeId = "" }, null, StatusCode.InvalidArgument, "notice_id"),
            ("another hazard's notice", new(Good()) { NoticeId = notice.Id.Replace(hazard.Name.Split('/')[1], other.Name.Split('/')[1], StringComparison.Ordinal) }, null, StatusCode.InvalidArgument, "notice_id"),
            ("no outcome", new(Good()) { Outcome = ReceiptOutcome.Unspecified }, null, StatusCode.InvalidArgument, "outcome"),
            ("no event time", new(Good()) { EventTime = null }, null, StatusCode.InvalidArgument, "event_time"),
            ("an event time an hour ahead", new(Good()) { EventTime = Timestamp.FromDateTimeOffset(_fixture.Now.AddHours(1)) }, null, StatusCode.InvalidArgument, "event_time"),
            ("no receipt id", new(Good()) { ReceiptId = "  " }, null, StatusCode.InvalidArgument, "receipt_id"),
            ("a receipt id too long", new(Good()) { ReceiptId = new string('r', 129) }, null, StatusCode.InvalidArgument, "receipt_id"),
            ("a detail too long", new(Good()) { Detail = new string('d', 501) }, null, StatusCode.InvalidArgument, "detail"),
            ("a notice the hazard does not hold", new(Good()) { NoticeId = $"{notice.Id[..notice.Id.IndexOf("/NewMajorHazard/", StringComparison.Ordinal)]}/WarningLetter/Principal" }, null, StatusCode.NotFound, "notice_id"),
            ("a hazard never registered", new(Good()) { Hazard = $"{enterprise.Name}/hazards/99", NoticeId = $"{enterprise.CreditCode}/99/NewMajorHazard/Principal" }, null, StatusCode.NotFound, "hazard"),
            ("a supervisor's credential", Good(), supervisor, StatusCode.PermissionDenied, "credential.role"),
            ("a system of another county", Good(), elsewhere, StatusCode.PermissionDenied, "hazard"),
        };
        foreach (var (why, request, token, expectedCode, expectedField) in cases)
        {
            var client = token is null ? _fixture.Enterprises : new EnterpriseService.EnterpriseServiceClient(_fixture.As(token));
            var (code, field, message) = await ApiDriver.Refusal(() => client.RecordNoticeReceiptAsync(request).ResponseAsync);
            Assert.True((expectedCode, expectedField) == (code, field), $"{why}: expected {expectedCode} on {expectedField}, got {code} on '{field}' ({message})");
        }

        Assert.Equal(before, await Notices(enterprise));
    }

    [Fact]
    public async Task A_receipt_posted_as_json_as_the_readme_shows_is_recorded_and_a_bad_one_is_a_400()
    {
        var enterprise = await _api.Register(TestData.NewEnterprise(s_town));
        var hazard = await Report(enterprise);
        var principal = (await Eventually.Until(() => Notices(enterprise), n => n.Count == 2 && n.All(x => x.Delivery?.State == DeliveryState.Accepted),
            "the notices to be accepted")).Single(n => n.RecipientRole == RecipientRole.Principal);
        using var json = new JsonApi.JsonApiClient(_fixture.JsonAddress);
        var path = $"/v1/{hazard.Name}:recordNoticeReceipt";
        var body = new Dictionary<string, string>
        {
            ["noticeId"] = principal.Id,
            ["outcome"] = "RECEIPT_OUTCOME_DELIVERED",
            ["eventTime"] = _fixture.Now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["receiptId"] = "smsc-7781-0001",
        };

        var bad = await json.Post(path, new Dictionary<string, string>(body) { ["outcome"] = "RECEIPT_OUTCOME_UNSPECIFIED" });
        Assert.True(bad.Status == HttpStatusCode.BadRequest, bad.ToString());
        var answer = await json.Post(path, body);
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal("DELIVERY_STATE_DELIVERED", answer.Json.GetProperty("delivery").GetProperty("state").GetString());
        Assert.Equal(answer.As<Notification>(), (await Notices(enterprise)).Single(n => n.Id == principal.Id));
    }

    private async Task<Hazard> Report(Api.V1.Enterprise enterprise) =>
        (await _api.Report(enterprise.CreditCode, ApiDriver.Finding(ReportChannel.SelfReport, Sector.Chemicals, "HG-NOTICE", "罐区", ClusterFixture.Start.AddDays(-1)))).Hazard;

    private async Task<NoticeList> Notices(Api.V1.Enterprise enterprise)
    {
        var list = new NoticeList(webhook.Receiver.Calls.Count);
        list.AddRange((await _fixture.Enterprises.ListNotificationsAsync(new ListNotificationsRequest { Parent = enterprise.Name })).Notifications);
        return list;
    }

    /// <summary>Notices that say what they hold when a wait for them runs out.</summary>
    private sealed class NoticeList(int receiverCalls) : List<Notification>
    {
        public override string ToString() => $"{string.Join("; ", this.Select(n => $"{n.RecipientRole}: {n.Delivery}"))} (the receiver had {receiverCalls} calls)";
    }

    /// <summary>The README's scheme, computed here on its own: v1= and the hex HMAC-SHA256 of "{timestamp}.{body}".</summary>
    private static string ExpectedSignature(string timestamp, byte[] body, string secret = NoticeWebhookFixture.Secret)
    {
        byte[] signed = [.. Encoding.ASCII.GetBytes(timestamp + "."), .. body];
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }
}
